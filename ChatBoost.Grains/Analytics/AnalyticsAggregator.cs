using System.Diagnostics;
using ChatBoost.Grains.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Analytics;

/// <summary>What one aggregation did: the range, the rows it changed, the bots whose rollups and the flows whose funnel rows changed.</summary>
public sealed record AggregationReport(
    DateTimeOffset From, DateTimeOffset To, long RowsChanged, IReadOnlyList<long> ChangedBots, TimeSpan Took, IReadOnlyList<long> ChangedFlows);

/// <summary>
/// Recomputes the rollups of [from, to) (whole UTC hours), for one bot or all, from the raw rows: reads them
/// (<see cref="RawFactReader"/>), folds them (<see cref="StatsDefinitions.Fold"/>) and, in one transaction, replaces what
/// the range held in <c>hourly_message_stats</c> (within the hourly retention), <c>contact_activity_hourly</c> and
/// <c>daily_message_stats</c> of every UTC day it touches. A whole day's row comes from the fold; a day only partly in the
/// range (the minute's tick) from its stored hours after the write; the per-node funnel rows the range's activity touched
/// are recomputed in the same transaction (<see cref="FunnelRollup"/>). Writers take one advisory lock, so two aggregations
/// never interleave; rows whose figures are unchanged are not written, so a second identical run changes nothing.
/// </summary>
public sealed class AnalyticsAggregator(RawFactReader reader, Database database, IOptions<AnalyticsOptions> options, TimeProvider time)
{
    /// <summary>The advisory lock key of the rollup writers ("analytics", 0130).</summary>
    public const long WriterLock = 0x616e616c_0130;

    private static readonly string DayHoursSql = $"""
        SELECT bot_id, organization_id, hour, {RollupSql.Figures} FROM hourly_message_stats
        WHERE hour >= @from AND hour < @to AND {BotFilter.Sql("bot_id")}
        """;

    private static readonly string DayActivitySql = $"""
        SELECT bot_id, hour, contact_wa_id FROM contact_activity_hourly
        WHERE hour >= @from AND hour < @to AND {BotFilter.Sql("bot_id")}
        """;

    private const string UpsertActivitySql = """
        INSERT INTO contact_activity_hourly (bot_id, hour, contact_wa_id, contact_created_at)
        SELECT * FROM unnest(@bots, @hours, @contacts, @created) AS a(bot_id, hour, contact_wa_id, contact_created_at)
        ORDER BY 1, 2, 3
        ON CONFLICT (bot_id, hour, contact_wa_id) DO UPDATE SET contact_created_at = excluded.contact_created_at
        WHERE contact_activity_hourly.contact_created_at IS DISTINCT FROM excluded.contact_created_at
        RETURNING bot_id
        """;

    private static readonly string DeleteActivitySql = $"""
        DELETE FROM contact_activity_hourly t
        WHERE t.hour >= @from AND t.hour < @to AND {BotFilter.Sql("t.bot_id")}
          AND NOT EXISTS (SELECT 1 FROM unnest(@bots, @hours, @contacts) AS k(bot_id, hour, contact_wa_id)
                          WHERE k.bot_id = t.bot_id AND k.hour = t.hour AND k.contact_wa_id = t.contact_wa_id)
        RETURNING t.bot_id
        """;

    /// <summary>Aggregates [from, to) for <paramref name="bots"/> (null: every bot) in one pass over the range's raw rows.</summary>
    public async Task<AggregationReport> AggregateAsync(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<long>? bots, CancellationToken cancellationToken)
    {
        if (from.Ticks % TimeSpan.TicksPerHour != 0 || to.Ticks % TimeSpan.TicksPerHour != 0 || to <= from)
        {
            throw new ArgumentException("An aggregation covers whole UTC hours, from before to.", nameof(to));
        }

        var watch = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var settings = options.Value;
        var facts = await reader.ReadAsync(from, to, bots, cancellationToken).ConfigureAwait(false);
        var fold = StatsDefinitions.Fold(facts.Messages, facts.Contacts, facts.Executions, from, to);
        var hourlyFrom = Max(from, settings.HourlyHorizon(now));
        var dailyFrom = Max(from, settings.DailyHorizon(now));

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long>("key", WriterLock));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var changed = new List<long>();
        if (hourlyFrom < to)
        {
            var hours = fold.Hours.Where(h => h.Hour >= hourlyFrom)
                .Select(h => new RollupRecord(h.BotId, h.OrganizationId, h.Hour, h.Values, h.ActiveContacts)).ToList();
            changed.AddRange(await BotIdsAsync(RollupSql.Upsert(RollupSql.Hourly, hours, connection, transaction), cancellationToken).ConfigureAwait(false));
            changed.AddRange(await BotIdsAsync(RollupSql.DeleteStale(RollupSql.Hourly, hourlyFrom, to, bots, hours, connection, transaction), cancellationToken).ConfigureAwait(false));
        }

        if (dailyFrom < to)
        {
            var activity = fold.Activity.Where(a => a.Hour >= dailyFrom).ToList();
            changed.AddRange(await WriteActivityAsync(activity, dailyFrom, to, bots, connection, transaction, cancellationToken).ConfigureAwait(false));
            for (var day = AnalyticsOptions.DayStart(dailyFrom); day < to; day = day.AddDays(1))
            {
                var whole = day >= from && day.AddDays(1) <= to;
                var rows = whole
                    ? DailyRollup.Combine(day, fold.Hours, fold.Activity)
                    : await StoredDayAsync(day, bots, connection, transaction, cancellationToken).ConfigureAwait(false);
                changed.AddRange(await BotIdsAsync(RollupSql.Upsert(RollupSql.Daily, rows, connection, transaction), cancellationToken).ConfigureAwait(false));
                changed.AddRange(await BotIdsAsync(RollupSql.DeleteStale(RollupSql.Daily, day, day.AddDays(1), bots, rows, connection, transaction), cancellationToken).ConfigureAwait(false));
            }
        }

        var funnelFrom = settings.FunnelHorizon(now);
        var funnel = funnelFrom < to
            ? await FunnelRollup.RefreshAsync(from, to, funnelFrom, bots, now, connection, transaction, cancellationToken).ConfigureAwait(false)
            : new FunnelRefresh(0, []);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AggregationReport(
            from, to, changed.Count + funnel.RowsChanged, changed.Distinct().Order().ToList(), watch.Elapsed, funnel.ChangedFlows);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>A day's rows from its stored hours and activity (the day is partly outside the range just written).</summary>
    private static async Task<IReadOnlyList<RollupRecord>> StoredDayAsync(
        DateTimeOffset day, IReadOnlyCollection<long>? bots, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var hours = new List<BotHourStats>();
        await using (var command = RangeCommand(DayHoursSql, day, bots, connection, transaction))
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var (values, active) = RollupSql.ReadFigures(rows, 3);
                hours.Add(new BotHourStats(rows.GetInt64(0), rows.GetInt64(1), rows.GetFieldValue<DateTimeOffset>(2), values, active));
            }
        }

        var activity = new List<ContactActivity>();
        await using (var command = RangeCommand(DayActivitySql, day, bots, connection, transaction))
        await using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                activity.Add(new ContactActivity(rows.GetInt64(0), 0, rows.GetFieldValue<DateTimeOffset>(1), rows.GetString(2), null));
            }
        }

        return DailyRollup.Combine(day, hours, activity);
    }

    private static NpgsqlCommand RangeCommand(string sql, DateTimeOffset day, IReadOnlyCollection<long>? bots, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", day));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", day.AddDays(1)));
        BotFilter.Add(command, bots);
        return command;
    }

    private static async Task<IReadOnlyList<long>> WriteActivityAsync(
        IReadOnlyList<ContactActivity> activity, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<long>? only,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var bots = activity.Select(a => a.BotId).ToArray();
        var hours = activity.Select(a => a.Hour).ToArray();
        var contacts = activity.Select(a => a.ContactWaId).ToArray();
        var changed = new List<long>();
        await using (var upsert = new NpgsqlCommand(UpsertActivitySql, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter<long[]>("bots", bots));
            upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hours", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = hours });
            upsert.Parameters.Add(new NpgsqlParameter<string[]>("contacts", contacts));
            upsert.Parameters.Add(new NpgsqlParameter("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = activity.Select(a => a.ContactCreatedAt).ToArray() });
            changed.AddRange(await BotIdsAsync(upsert, cancellationToken, dispose: false).ConfigureAwait(false));
        }

        await using var delete = new NpgsqlCommand(DeleteActivitySql, connection, transaction);
        delete.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
        delete.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
        BotFilter.Add(delete, only);
        delete.Parameters.Add(new NpgsqlParameter<long[]>("bots", bots));
        delete.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hours", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = hours });
        delete.Parameters.Add(new NpgsqlParameter<string[]>("contacts", contacts));
        changed.AddRange(await BotIdsAsync(delete, cancellationToken, dispose: false).ConfigureAwait(false));
        return changed;
    }

    private static async Task<IReadOnlyList<long>> BotIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken, bool dispose = true)
    {
        try
        {
            var bots = new List<long>();
            await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                bots.Add(rows.GetInt64(0));
            }

            return bots;
        }
        finally
        {
            if (dispose)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
