using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// Reads one bot's slice of a range from the rollups (one round trip, three statements by primary-key range): its rows
/// (daily rows for UTC days, hourly rows otherwise), its distinct active contacts per bucket, and over the whole range
/// with the returning ones. The counts are <see cref="SliceAssembler.Count"/>'s definition in SQL.
/// </summary>
public sealed class RollupReader(Database database)
{
    private const string DailySql = $"""
        SELECT (date::timestamp AT TIME ZONE 'UTC'), {RollupSql.Figures}, computed_at FROM daily_message_stats
        WHERE bot_id = @bot AND date >= (@from AT TIME ZONE 'UTC')::date AND date < (@to AT TIME ZONE 'UTC')::date;
        """;

    private const string HourlySql = $"""
        SELECT hour, {RollupSql.Figures}, computed_at FROM hourly_message_stats
        WHERE bot_id = @bot AND hour >= @from AND hour < @to;
        """;

    private const string ActivitySql = """
        SELECT CASE WHEN @daily THEN ((hour AT TIME ZONE @tz)::date)::timestamp ELSE hour AT TIME ZONE 'UTC' END AS bucket, count(DISTINCT contact_wa_id)
        FROM contact_activity_hourly WHERE bot_id = @bot AND hour >= @from AND hour < @to GROUP BY 1;
        SELECT count(DISTINCT contact_wa_id), count(DISTINCT contact_wa_id) FILTER (WHERE contact_created_at < @from)
        FROM contact_activity_hourly WHERE bot_id = @bot AND hour >= @from AND hour < @to;
        """;

    public async Task<BotStatsSlice> ReadAsync(long botId, StatsRange range, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        var daily = range.Granularity == StatsGranularity.Daily;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand((range.ReadsDailyRollup ? DailySql : HourlySql) + ActivitySql, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("bot", botId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", range.Start));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", range.End));
        command.Parameters.Add(new NpgsqlParameter<bool>("daily", daily));
        command.Parameters.Add(new NpgsqlParameter<string>("tz", range.TimeZone));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<RollupRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (values, _) = RollupSql.ReadFigures(reader, 1);
            rows.Add(new RollupRow(reader.GetFieldValue<DateTimeOffset>(0), values, reader.GetFieldValue<DateTimeOffset>(19)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var byBucket = new Dictionary<DateTimeOffset, long>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // A local day's bucket starts at that day's local midnight; an hour's at the hour.
            var bucket = reader.GetDateTime(0);
            var start = daily ? AnalyticsPeriods.StartOfDay(DateOnly.FromDateTime(bucket), zone) : new DateTimeOffset(bucket, TimeSpan.Zero);
            byBucket[start] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var activity = new ActivityCounts(byBucket, reader.GetInt64(0), reader.GetInt64(1));
        return SliceAssembler.Assemble(botId, range, zone, rows, activity);
    }
}
