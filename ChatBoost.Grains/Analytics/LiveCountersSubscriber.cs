using ChatBoost.Grains.Contacts.Events;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// The per-bot live counters: a transactional subscriber of the event outlet that adds each batch's
/// <see cref="LiveCounterFold"/> to <c>bot_live_counters</c> in the dispatcher's transaction, so the counters move
/// together with the subscriber's position and stay exact after a crash (never an event counted twice or lost). Each shard
/// adds to its own rows (migration 0240; readers sum the shards), so the 16 dispatchers never wait on one another's
/// uncommitted counter rows of a busy bot.
/// </summary>
public sealed class LiveCountersSubscriber : ITransactionalContactEventSubscriber
{
    public const string SubscriberName = "live_counters";

    // One statement per batch, on this shard's rows only (a duplicate activation of the shard's dispatcher is fenced by the
    // position; the ORDER BY still takes the rows' locks in one order).
    private const string UpsertSql = """
        INSERT INTO bot_live_counters (bot_id, organization_id, hour, counter, message_type, shard, count, updated_at)
        SELECT d.bot_id, d.organization_id, d.hour, d.counter, d.message_type, @shard, d.count, now()
        FROM unnest(@bots, @organizations, @hours, @counters, @message_types, @counts)
             AS d(bot_id, organization_id, hour, counter, message_type, count)
        ORDER BY d.bot_id, d.hour, d.counter, d.message_type
        ON CONFLICT (bot_id, hour, counter, message_type, shard) DO UPDATE
            SET count = bot_live_counters.count + excluded.count, updated_at = excluded.updated_at
        """;

    public string Name => SubscriberName;

    public async Task HandleAsync(
        int shard, IReadOnlyList<ContactEvent> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var deltas = LiveCounterFold.Fold(batch);
        if (deltas.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(UpsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("bots", deltas.Select(d => d.BotId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("organizations", deltas.Select(d => d.OrganizationId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]>("hours", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = deltas.Select(d => d.Hour).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>("counters", deltas.Select(d => d.Counter).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("message_types", deltas.Select(d => d.MessageType).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("counts", deltas.Select(d => d.Count).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<short>("shard", checked((short)shard)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
