using ChatBoost.Grains.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Analytics;

/// <summary>A UTC day of one bot whose raw rows changed after the aggregation's own windows had passed it (its version).</summary>
public sealed record DirtyDay(long BotId, DateOnly Date, long Version);

/// <summary>One recomputation the late changes need: a whole UTC day, for these bots (null: every bot).</summary>
public sealed record LateRun(DateOnly Date, IReadOnlyList<long>? Bots);

/// <summary>
/// The days that late changes touched (<c>analytics_dirty_days</c>, marked by the triggers of migration 0220 when a
/// status changes on a message or an execution older than the hourly run's reach): read, planned into one run per
/// day, and deleted once recomputed — exactly the marks read, by version, so a mark made meanwhile survives.
/// </summary>
public sealed class LateChanges(Database database)
{
    /// <summary>More bots than this dirty on one day and the day is recomputed for every bot (one pass either way).</summary>
    public const int AllBotsFrom = 100;

    private const string ReadSql = """
        DELETE FROM analytics_dirty_days WHERE date < @horizon;
        SELECT bot_id, date, version FROM analytics_dirty_days ORDER BY date, bot_id LIMIT @limit;
        """;

    private const string DeleteSql = """
        DELETE FROM analytics_dirty_days d USING unnest(@bots, @dates, @versions) AS k(bot_id, date, version)
        WHERE d.bot_id = k.bot_id AND d.date = k.date AND d.version = k.version
        """;

    /// <summary>The marked days within the daily retention (marks older than it are dropped: there is no row left to fix).</summary>
    public async Task<IReadOnlyList<DirtyDay>> ReadAsync(DateOnly horizon, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadSql, connection);
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("horizon", horizon));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var days = new List<DirtyDay>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            days.Add(new DirtyDay(reader.GetInt64(0), reader.GetFieldValue<DateOnly>(1), reader.GetInt64(2)));
        }

        return days;
    }

    /// <summary>Deletes the marks that were recomputed, unless a later change moved their version.</summary>
    public async Task DeleteAsync(IReadOnlyList<DirtyDay> done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(done);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(DeleteSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("bots", done.Select(d => d.BotId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter("dates", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = done.Select(d => d.Date).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", done.Select(d => d.Version).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run per marked day (pure): its bots, or every bot when more than <see cref="AllBotsFrom"/> are marked.</summary>
    public static IReadOnlyList<LateRun> Plan(IEnumerable<DirtyDay> days) =>
        days.GroupBy(d => d.Date)
            .OrderBy(g => g.Key)
            .Select(g => g.Select(d => d.BotId).Distinct().Order().ToList() is var bots && bots.Count > AllBotsFrom
                ? new LateRun(g.Key, null)
                : new LateRun(g.Key, bots))
            .ToList();
}
