using ChatBoost.Telemetry;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Infrastructure;
using Npgsql;
using static ChatBoost.Grains.Contacts.ContactRowMapping;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The SQL of the contact grain. The rows of <c>contacts</c>, <c>contact_attributes</c> and <c>flow_executions</c> are
/// the grain's durable state (migrations 0070, 0080): it is their only writer, so it reads them back only on activation.
/// Every commit is one transaction, fenced by the contact row's version (and the execution row's), and carries the
/// domain events of the change (the event outlet, <c>contact_events</c>).
/// </summary>
public sealed class ContactStore(Database database, BatchingStatementWriter writer, ChatBoostMetrics metrics)
{
    internal Task<LoadedContact> LoadAsync(long botId, string waId, int inboundLimit, CancellationToken cancellationToken) =>
        writer.ExecuteAsync(new LoadStatement(botId, waId, inboundLimit), cancellationToken);

    /// <summary>The contact's inbound messages after <paramref name="cursor"/>, oldest first, at most <paramref name="limit"/>.</summary>
    internal Task<IReadOnlyList<PendingInbound>> LoadInboundAfterAsync(
        long botId, string waId, long cursor, int limit, CancellationToken cancellationToken) =>
        writer.ExecuteAsync(new SqlStatement<IReadOnlyList<PendingInbound>>(
            $"{InboundColumns} AND id > @cursor ORDER BY id LIMIT @limit",
            p =>
            {
                p.AddWithValue("bot", botId);
                p.AddWithValue("wa", waId);
                p.AddWithValue("cursor", cursor);
                p.AddWithValue("limit", limit);
            },
            ReadInboundAsync), cancellationToken);

    private const string InboundColumns = """
        SELECT id, organization_id, wa_message_id, message_type, text, reply_id, profile_name, coalesce(wa_timestamp, created_at),
               from_user_id, username
        FROM messages
        WHERE bot_id = @bot AND contact_wa_id = @wa AND direction = 'inbound'
        """;

    private static async ValueTask<IReadOnlyList<PendingInbound>> ReadInboundAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var messages = new List<PendingInbound>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new PendingInbound(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                Text(reader, 4), Text(reader, 5), Text(reader, 6), Time(reader, 7)!.Value, Text(reader, 8), Text(reader, 9)));
        }

        return messages;
    }

    /// <summary>Everything an activation loads, as one unit of the statement writer (its reads share a round trip with other
    /// contacts' work): the contact, its attributes, its active execution, its newest inbound time, and the first inbound
    /// messages after its cursor.</summary>
    private sealed class LoadStatement(long botId, string waId, int inboundLimit) : BatchedStatement<LoadedContact>
    {
        public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands() =>
        [
            Command($"SELECT {ContactColumns} FROM contacts WHERE bot_id = @bot AND wa_id = @wa", botId, waId),
            Command("""
                SELECT a.key, a.value_type, a.value, a.created_at, a.updated_at
                FROM contact_attributes a JOIN contacts c ON c.id = a.contact_id
                WHERE c.bot_id = @bot AND c.wa_id = @wa
                """, botId, waId),
            Command($"""
                SELECT {ExecutionColumns} FROM flow_executions
                WHERE bot_id = @bot AND contact_wa_id = @wa AND status IN {ActiveStatuses}
                """, botId, waId),
            Command("""
                SELECT max(coalesce(wa_timestamp, created_at)) FROM messages
                WHERE bot_id = @bot AND contact_wa_id = @wa AND direction = 'inbound'
                """, botId, waId),
            Command($"""
                {InboundColumns}
                  AND id > coalesce((SELECT inbound_cursor FROM contacts WHERE bot_id = @bot AND wa_id = @wa), 0)
                ORDER BY id LIMIT {inboundLimit}
                """, botId, waId),
        ];

        public override async ValueTask<LoadedContact> ReadAsync(BatchResults results, CancellationToken cancellationToken)
        {
            var reader = results.Reader;
            var contact = await reader.ReadAsync(cancellationToken) ? ReadContact(reader) : null;

            await results.NextAsync(cancellationToken);
            var attributes = new List<(string, StoredAttribute)>();
            while (await reader.ReadAsync(cancellationToken))
            {
                attributes.Add((reader.GetString(0), new StoredAttribute(
                    new Attributes.AttributeValue(reader.GetString(1), reader.GetString(2)), Time(reader, 3)!.Value, Time(reader, 4))));
            }

            await results.NextAsync(cancellationToken);
            var execution = await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;

            await results.NextAsync(cancellationToken);
            DateTimeOffset? lastInbound = await reader.ReadAsync(cancellationToken) ? Time(reader, 0) : null;

            await results.NextAsync(cancellationToken);
            var inbound = await ReadInboundAsync(reader, cancellationToken);
            return new LoadedContact(contact, attributes, execution, lastInbound, inbound);
        }
    }

    /// <summary>A past execution of this contact, by id (for resuming a failed one), or null.</summary>
    internal async Task<ExecutionRecord?> LoadExecutionAsync(long botId, string waId, long executionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {ExecutionColumns} FROM flow_executions WHERE id = @id AND bot_id = @bot AND contact_wa_id = @wa", connection);
        command.Parameters.AddWithValue("id", executionId);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("wa", waId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;
    }

    /// <summary>The execution started with this automated start key (any contact: the key is unique), or null.</summary>
    internal async Task<long?> FindExecutionByStartKeyAsync(string startKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT id FROM flow_executions WHERE start_key = @key", connection);
        command.Parameters.AddWithValue("key", startKey);
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    /// <summary>
    /// Writes the changes in one statement (<see cref="ContactCommitStatement"/>), batched with other contacts' commits by
    /// <see cref="BatchingStatementWriter"/>, and returns the rows with their new ids and versions.
    /// <see cref="ContactFencedException"/>: another activation committed first (nothing written).
    /// A unique violation of the one-active-execution index surfaces as <see cref="PostgresException"/>.
    /// </summary>
    internal async Task<CommittedChanges> CommitAsync(long botId, string waId, ContactChanges changes, CancellationToken cancellationToken)
    {
        var c = changes.Contact;
        (long ContactId, long ContactVersion, long? ExecutionId, long? ExecutionVersion)? stored;
        try
        {
            stored = await writer.ExecuteAsync(new ContactCommitStatement(botId, waId, changes), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            throw new ContactFencedException($"execution {changes.Execution?.Id} of contact ({botId}, {waId}) moved: {e.MessageText}");
        }

        if (stored is not { } row)
        {
            throw new ContactFencedException(c.IsStored
                ? $"contact {c.Id} is no longer at version {c.Version} (or its execution moved): another activation committed first"
                : $"contact ({botId}, {waId}) was created by another activation");
        }

        foreach (var committed in changes.Events)
        {
            if (ExecutionOutcome(committed.Type) is { } outcome)
            {
                metrics.ExecutionsChanged(outcome);
            }
        }

        var contact = c with { Id = row.ContactId, Version = row.ContactVersion };
        var execution = changes.Execution is { } e2 ? e2 with { Id = row.ExecutionId!.Value, Version = row.ExecutionVersion!.Value } : null;
        return new CommittedChanges(contact, execution);
    }

    /// <summary>The <c>chatboost.executions</c> outcome an outlet event committed with a step stands for (a cancel has none).</summary>
    internal static string? ExecutionOutcome(string eventType) => eventType switch
    {
        ContactEventTypes.FlowStarted => "started",
        ContactEventTypes.FlowCompleted => "completed",
        ContactEventTypes.FlowFailed => "failed",
        _ => null,
    };

    private static NpgsqlBatchCommand Command(string sql, long botId, string waId) => new(sql)
    {
        Parameters = { new NpgsqlParameter("bot", botId), new NpgsqlParameter("wa", waId) },
    };
}
