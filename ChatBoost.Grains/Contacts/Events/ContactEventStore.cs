using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The dispatcher's SQL over <c>contact_events</c> and <c>contact_event_positions</c>: the next batch of a shard after
/// a position, and the subscribers' positions.
/// </summary>
public static class ContactEventStore
{
    /// <summary>
    /// The xmin rule: only events of transactions older than every transaction still running are read. Identity values
    /// are handed out before commit, so a transaction can commit an event with a lower id after a higher one was read; a
    /// position past that higher id would skip it for good. Every transaction whose id is below the snapshot's xmin has
    /// ended, and every transaction still to commit has an id at or above it, so no event can later appear behind a
    /// position taken from such a batch.
    /// </summary>
    private const string ReadBatchSql = """
        SELECT tx, id, type, bot_id, organization_id, contact_wa_id, contact_id, message_id, execution_id, flow_id, node_id,
               occurred_at, data::text
        FROM contact_events
        WHERE shard = @shard AND (tx, id) > (@last_tx, @last_id) AND tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx, id
        LIMIT @limit
        """;

    // Compare-and-set: the position moves only from the one this dispatcher read. A second activation of the same shard
    // (membership churn) that delivered the same batch finds the row moved and rolls its transaction back.
    private const string SavePositionSql = """
        INSERT INTO contact_event_positions (subscriber, shard, last_tx, last_id, updated_at)
        VALUES (@subscriber, @shard, @new_tx, @new_id, now())
        ON CONFLICT (subscriber, shard) DO UPDATE
            SET last_tx = excluded.last_tx, last_id = excluded.last_id, updated_at = excluded.updated_at
            WHERE contact_event_positions.last_tx = @old_tx AND contact_event_positions.last_id = @old_id
        """;

    private const string ReadPositionsSql = "SELECT subscriber, last_tx, last_id FROM contact_event_positions WHERE shard = @shard";

    public static async Task<IReadOnlyList<PositionedContactEvent>> ReadBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, int shard, ContactEventPosition after, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ReadBatchSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        command.Parameters.Add(new NpgsqlParameter<ulong>("last_tx", NpgsqlDbType.Xid8) { TypedValue = after.Tx });
        command.Parameters.Add(new NpgsqlParameter<long>("last_id", after.Id));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var batch = new List<PositionedContactEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var data = JsonDocument.Parse(reader.GetString(12));
            var contactEvent = new ContactEvent(
                Id: reader.GetInt64(1),
                Type: reader.GetString(2),
                BotId: reader.GetInt64(3),
                OrganizationId: reader.GetInt64(4),
                ContactWaId: reader.GetString(5),
                ContactId: NullableInt64(reader, 6),
                MessageId: NullableInt64(reader, 7),
                ExecutionId: NullableInt64(reader, 8),
                FlowId: NullableInt64(reader, 9),
                NodeId: NullableInt64(reader, 10),
                OccurredAt: reader.GetFieldValue<DateTimeOffset>(11),
                Data: data.RootElement.Clone());
            batch.Add(new PositionedContactEvent(new ContactEventPosition(reader.GetFieldValue<ulong>(0), contactEvent.Id), contactEvent));
        }

        return batch;
    }

    /// <summary>Moves the position from <paramref name="from"/> to <paramref name="to"/>; false when another writer moved it first.</summary>
    public static async Task<bool> TrySavePositionAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string subscriber,
        int shard,
        ContactEventPosition from,
        ContactEventPosition to,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SavePositionSql, connection, transaction);
        AddPositionParameters(command.Parameters, subscriber, shard, from, to);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void AddPositionParameters(NpgsqlParameterCollection parameters, string subscriber, int shard, ContactEventPosition from, ContactEventPosition to)
    {
        parameters.Add(new NpgsqlParameter<string>("subscriber", subscriber));
        parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        parameters.Add(new NpgsqlParameter<ulong>("new_tx", NpgsqlDbType.Xid8) { TypedValue = to.Tx });
        parameters.Add(new NpgsqlParameter<long>("new_id", to.Id));
        parameters.Add(new NpgsqlParameter<ulong>("old_tx", NpgsqlDbType.Xid8) { TypedValue = from.Tx });
        parameters.Add(new NpgsqlParameter<long>("old_id", from.Id));
    }

    /// <summary>
    /// Moves several subscribers' positions from <paramref name="from"/> to <paramref name="to"/> in one round trip (one
    /// implicit transaction); per subscriber, false when another writer moved it first.
    /// </summary>
    public static async Task<bool[]> TrySavePositionsAsync(
        NpgsqlConnection connection, IReadOnlyList<string> subscribers, int shard, ContactEventPosition from, ContactEventPosition to,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var subscriber in subscribers)
        {
            var command = new NpgsqlBatchCommand(SavePositionSql);
            AddPositionParameters(command.Parameters, subscriber, shard, from, to);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var saved = new bool[subscribers.Count];
        for (var i = 0; i < saved.Length; i++)
        {
            saved[i] = batch.BatchCommands[i].RecordsAffected == 1;
        }

        return saved;
    }

    /// <summary>Every subscriber's position in the shard; a subscriber without a row starts at <see cref="ContactEventPosition.Start"/>.</summary>
    public static async Task<Dictionary<string, ContactEventPosition>> ReadPositionsAsync(
        NpgsqlConnection connection, int shard, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ReadPositionsSql, connection);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        var positions = new Dictionary<string, ContactEventPosition>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            positions[reader.GetString(0)] = new ContactEventPosition(reader.GetFieldValue<ulong>(1), reader.GetInt64(2));
        }

        return positions;
    }

    private static long? NullableInt64(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
