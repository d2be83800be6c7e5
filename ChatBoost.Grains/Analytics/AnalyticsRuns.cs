using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// The aggregation's bookkeeping: each kind's last run (<c>analytics_aggregation_runs</c>), the nightly cleanup past the
/// retentions, and the row counts <c>GET /analytics/health</c> shows.
/// </summary>
public sealed class AnalyticsRuns(Database database, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    public const string Tick = "tick";
    public const string Hourly = "hourly";
    public const string Daily = "daily";
    public const string Cleanup = "cleanup";
    public const string Manual = "manual";
    public const string Late = "late";

    private const string RecordSql = """
        INSERT INTO analytics_aggregation_runs (kind, started_at, finished_at, range_start, range_end, rows_changed, duration_ms, error)
        VALUES (@kind, @started, @finished, @range_start, @range_end, @rows, @duration, @error)
        ON CONFLICT (kind) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
            range_start = excluded.range_start, range_end = excluded.range_end, rows_changed = excluded.rows_changed,
            duration_ms = excluded.duration_ms, error = excluded.error
        """;

    private const string CleanupSql = """
        WITH h AS (DELETE FROM hourly_message_stats WHERE hour < @hourly RETURNING 1),
             d AS (DELETE FROM daily_message_stats WHERE date < (@daily AT TIME ZONE 'UTC')::date RETURNING 1),
             a AS (DELETE FROM contact_activity_hourly WHERE hour < @daily RETURNING 1),
             f AS (DELETE FROM flow_node_hourly_stats WHERE hour < @funnel RETURNING 1),
             x AS (DELETE FROM flow_execution_hours WHERE hour < @funnel RETURNING 1)
        SELECT (SELECT count(*) FROM h) + (SELECT count(*) FROM d) + (SELECT count(*) FROM a)
             + (SELECT count(*) FROM f) + (SELECT count(*) FROM x)
        """;

    private const string HealthSql = """
        SELECT kind, started_at, finished_at, range_start, range_end, rows_changed, duration_ms, error FROM analytics_aggregation_runs ORDER BY kind;
        SELECT (SELECT count(*) FROM hourly_message_stats WHERE bot_id = ANY(@bots)),
               (SELECT count(*) FROM daily_message_stats WHERE bot_id = ANY(@bots)),
               (SELECT count(*) FROM contact_activity_hourly WHERE bot_id = ANY(@bots)),
               (SELECT max(computed_at) FROM hourly_message_stats WHERE bot_id = ANY(@bots));
        """;

    public async Task RecordAsync(string kind, DateTimeOffset started, AggregationReport? report, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(RecordSql, connection);
        var finished = time.GetUtcNow();
        command.Parameters.Add(new NpgsqlParameter<string>("kind", kind));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("started", started));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("finished", finished));
        command.Parameters.Add(new NpgsqlParameter("range_start", (object?)report?.From ?? DBNull.Value));
        command.Parameters.Add(new NpgsqlParameter("range_end", (object?)report?.To ?? DBNull.Value));
        command.Parameters.Add(new NpgsqlParameter<long>("rows", report?.RowsChanged ?? 0));
        command.Parameters.Add(new NpgsqlParameter<long>("duration", (long)(finished - started).TotalMilliseconds));
        command.Parameters.Add(new NpgsqlParameter("error", (object?)error ?? DBNull.Value));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Of <paramref name="bots"/>, those whose daily row of <paramref name="date"/> was computed at or after <paramref name="dayEnd"/> (one query).</summary>
    public async Task<IReadOnlyList<long>> AggregatedAfterAsync(
        IReadOnlyCollection<long> bots, DateOnly date, DateTimeOffset dayEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bots);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT bot_id FROM daily_message_stats WHERE bot_id = ANY(@bots) AND date = @date AND computed_at >= @end", connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("bots", bots.ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("date", date));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("end", dayEnd));
        var done = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            done.Add(reader.GetInt64(0));
        }

        return done;
    }

    /// <summary>Deletes hourly rows past the hourly retention, daily rows and activity past the daily one, funnel rows past the funnel's.</summary>
    public async Task<long> CleanupAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(CleanupSql, connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("hourly", options.Value.HourlyHorizon(now)));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("daily", options.Value.DailyHorizon(now)));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("funnel", options.Value.FunnelHorizon(now)));
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The last runs (platform-wide, no tenant data) and the row counts of the given bots.</summary>
    public async Task<AnalyticsHealthReport> HealthAsync(IReadOnlyList<long> botIds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(HealthSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("bots", botIds.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<AggregationRunView>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            runs.Add(new AggregationRunView(
                reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), Nullable(reader, 2), Nullable(reader, 3), Nullable(reader, 4),
                reader.GetInt64(5), reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var counts = new AnalyticsRowCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        var tick = runs.FirstOrDefault(r => r.Kind == Tick && r.Error is null);
        double? lag = tick?.FinishedAt is { } finished ? Math.Round((now - finished).TotalSeconds, 1) : null;
        var status = lag is { } l && l <= AnalyticsSchedule.HealthyLag.TotalSeconds && runs.All(r => r.Error is null) ? "healthy" : "degraded";
        return new AnalyticsHealthReport(status, now, lag, runs, counts, Nullable(reader, 3), options.Value.HourlyRetentionDays, options.Value.DailyRetentionDays);
    }

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int index) =>
        reader.IsDBNull(index) ? null : reader.GetFieldValue<DateTimeOffset>(index);
}
