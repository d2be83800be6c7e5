using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Triggers;
using Dapper;

namespace ChatBoost.Grains.Triggers.Schedules;

/// <summary>A schedule trigger's clock as stored (<c>trigger_schedules</c>): the schedule grain's state.</summary>
public sealed record TriggerScheduleState(
    long TriggerId, long BotId, bool Active, DateTimeOffset? CountsFrom, DateTimeOffset? LastOccurrence, long? LastRunId, long Missed, DateTimeOffset? NextDue)
{
    public TriggerScheduleView ToView() => new(TriggerId, Active, CountsFrom, LastOccurrence, Missed, NextDue, LastRunId);
}

/// <summary>The SQL of <c>trigger_schedules</c> (one writer: the trigger's <see cref="TriggerScheduleGrain"/>), and the
/// start-up's list of schedule triggers whose clock is not running.</summary>
public sealed class TriggerScheduleStore(Database database)
{
    public async Task<TriggerScheduleState?> LoadAsync(long triggerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT trigger_id AS TriggerId, bot_id AS BotId, active AS Active, counts_from AS CountsFrom, last_occurrence AS LastOccurrence,
                   last_run_id AS LastRunId, missed AS Missed, next_due AS NextDue
            FROM trigger_schedules WHERE trigger_id = @TriggerId
            """, new { TriggerId = triggerId }, cancellationToken: cancellationToken));
        return row?.ToState();
    }

    public async Task SaveAsync(TriggerScheduleState state, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO trigger_schedules (trigger_id, bot_id, active, counts_from, last_occurrence, last_run_id, missed, next_due, updated_at)
            VALUES (@TriggerId, @BotId, @Active, @CountsFrom, @LastOccurrence, @LastRunId, @Missed, @NextDue, @Now)
            ON CONFLICT (trigger_id) DO UPDATE SET active = excluded.active, counts_from = excluded.counts_from,
                last_occurrence = excluded.last_occurrence, last_run_id = excluded.last_run_id, missed = excluded.missed,
                next_due = excluded.next_due, updated_at = excluded.updated_at
            """,
            new
            {
                state.TriggerId,
                state.BotId,
                state.Active,
                CountsFrom = state.CountsFrom?.UtcDateTime,
                LastOccurrence = state.LastOccurrence?.UtcDateTime,
                state.LastRunId,
                state.Missed,
                NextDue = state.NextDue?.UtcDateTime,
                Now = now.UtcDateTime,
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>Active schedule triggers whose clock is not marked active (a change whose sync did not happen: the silo
    /// died between the trigger's commit and the call to its schedule grain).</summary>
    public async Task<IReadOnlyList<(long TriggerId, long BotId)>> UnsyncedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long, long)>(new CommandDefinition(
            """
            SELECT t.id, t.bot_id FROM triggers t LEFT JOIN trigger_schedules s ON s.trigger_id = t.id
            WHERE t.trigger_type = 'schedule' AND t.is_active AND t.deleted_at IS NULL AND (s.trigger_id IS NULL OR NOT s.active)
            ORDER BY t.id LIMIT 10000
            """, cancellationToken: cancellationToken));
        return [.. rows];
    }

    private sealed record Row(long TriggerId, long BotId, bool Active, DateTime? CountsFrom, DateTime? LastOccurrence, long? LastRunId, long Missed, DateTime? NextDue)
    {
        public TriggerScheduleState ToState() => new(TriggerId, BotId, Active, Utc(CountsFrom), Utc(LastOccurrence), LastRunId, Missed, Utc(NextDue));

        private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
    }
}
