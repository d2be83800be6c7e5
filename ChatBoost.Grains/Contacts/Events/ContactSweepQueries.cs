using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The sweeper's SQL for one shard: the inbound messages after the shard's watermark with their contacts' cursors, the
/// executions that lost their activation, and the watermark itself (table <c>contact_sweep_watermarks</c>, migration 0090).
/// </summary>
public sealed class ContactSweepQueries(Database database)
{
    public const string StaleRunningReason = "stale_running";
    public const string OverdueWakeReason = "overdue_wake";

    // Served by messages_inbound_shard_idx: a range scan after the watermark. The LEFT JOIN keeps messages whose contact
    // has no row yet (a crash between the record and the first consumption).
    private const string ScanInboundSql = """
        SELECT m.id, m.bot_id, m.contact_wa_id, m.created_at, c.inbound_cursor
        FROM messages m
        LEFT JOIN contacts c ON c.bot_id = m.bot_id AND c.wa_id = m.contact_wa_id
        WHERE contact_event_shard(m.bot_id, m.contact_wa_id) = @shard AND m.direction = 'inbound' AND m.id > @watermark
        ORDER BY m.id
        LIMIT @limit
        """;

    // Served by the two partial sweep indexes of migration 0090; oldest first, each kind bounded.
    private const string StrandedExecutionsSql = """
        (SELECT bot_id, contact_wa_id, 'stale_running' AS reason, updated_at AS since
         FROM flow_executions
         WHERE contact_event_shard(bot_id, contact_wa_id) = @shard AND status = 'running' AND updated_at < @stale_before
         ORDER BY updated_at
         LIMIT @limit)
        UNION ALL
        (SELECT bot_id, contact_wa_id, 'overdue_wake', wake_at
         FROM flow_executions
         WHERE contact_event_shard(bot_id, contact_wa_id) = @shard AND status IN ('waiting', 'waiting_for_reply')
           AND wake_at < @overdue_before
         ORDER BY wake_at
         LIMIT @limit)
        """;

    private const string ReadWatermarkSql = "SELECT verified_message_id FROM contact_sweep_watermarks WHERE shard = @shard";

    private const string SaveWatermarkSql = """
        INSERT INTO contact_sweep_watermarks (shard, verified_message_id, updated_at) VALUES (@shard, @watermark, now())
        ON CONFLICT (shard) DO UPDATE
            SET verified_message_id = greatest(contact_sweep_watermarks.verified_message_id, excluded.verified_message_id),
                updated_at = excluded.updated_at
        """;

    /// <summary>The inbound messages of the shard after <paramref name="watermark"/>, in id order, and PostgreSQL's now.</summary>
    /// <remarks>Messages' <c>created_at</c> is PostgreSQL's clock, so their age is measured against PostgreSQL's now.</remarks>
    public async Task<(IReadOnlyList<ScannedInboundMessage> Messages, DateTimeOffset DatabaseNow)> ScanInboundAsync(
        int shard, long watermark, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset databaseNow;
        await using (var clock = new NpgsqlCommand("SELECT now()", connection))
        {
            databaseNow = new DateTimeOffset((DateTime)(await clock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, TimeSpan.Zero);
        }

        await using var command = new NpgsqlCommand(ScanInboundSql, connection);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        command.Parameters.Add(new NpgsqlParameter<long>("watermark", watermark));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var messages = new List<ScannedInboundMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            messages.Add(new ScannedInboundMessage(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4)));
        }

        return (messages, databaseNow);
    }

    /// <summary>Executions of the shard running without an update since <paramref name="staleBefore"/> or waiting past <paramref name="overdueBefore"/>.</summary>
    public async Task<IReadOnlyList<StrandedContact>> FindStrandedExecutionsAsync(
        int shard, DateTimeOffset staleBefore, DateTimeOffset overdueBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(StrandedExecutionsSql, connection);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("stale_before", staleBefore.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("overdue_before", overdueBefore.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var found = new List<StrandedContact>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(new StrandedContact(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return found;
    }

    public async Task<long> ReadWatermarkAsync(int shard, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadWatermarkSql, connection);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long watermark ? watermark : 0;
    }

    /// <summary>Stores the watermark; it never moves back (a slower, older sweep cannot undo a newer one).</summary>
    public async Task SaveWatermarkAsync(int shard, long watermark, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(SaveWatermarkSql, connection);
        command.Parameters.Add(new NpgsqlParameter<short>("shard", (short)shard));
        command.Parameters.Add(new NpgsqlParameter<long>("watermark", watermark));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
