using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>The SQL the event-trigger subscriber reads: a contact's recent chain starts (<see cref="TriggerChain"/>).</summary>
public sealed class EventTriggerStore(Database database)
{
    /// <summary>
    /// The start times of the contact's executions started by any of <paramref name="chainTriggers"/> (their
    /// <c>trigger</c> text, <c>event:&lt;id&gt;</c>) after <paramref name="since"/>, newest first, at most
    /// <paramref name="limit"/>; and whether one of them carries <paramref name="startKey"/> (this event already started).
    /// </summary>
    public async Task<(IReadOnlyList<DateTimeOffset> Starts, bool AlreadyStarted)> ChainStartsAsync(
        long botId, string waId, IReadOnlyList<string> chainTriggers, DateTimeOffset since, int limit, string startKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chainTriggers);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(DateTime StartedAt, bool Own)>(new CommandDefinition(
            """
            SELECT started_at, coalesce(start_key = @StartKey, false)
            FROM flow_executions
            WHERE bot_id = @BotId AND contact_wa_id = @WaId AND trigger = ANY(@Triggers) AND started_at > @Since
            ORDER BY started_at DESC
            LIMIT @Limit
            """,
            new { BotId = botId, WaId = waId, Triggers = chainTriggers.ToArray(), Since = since.UtcDateTime, Limit = limit + 1, StartKey = startKey },
            cancellationToken: cancellationToken));
        var list = rows.ToList();
        return ([.. list.Select(r => new DateTimeOffset(DateTime.SpecifyKind(r.StartedAt, DateTimeKind.Utc)))], list.Any(r => r.Own));
    }
}
