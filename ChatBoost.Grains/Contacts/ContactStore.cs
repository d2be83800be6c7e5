using System.Globalization;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Infrastructure;
using Npgsql;
using NpgsqlTypes;
using static ChatBoost.Grains.Contacts.ContactRowMapping;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The SQL of the contact grain. The rows of <c>contacts</c>, <c>contact_attributes</c> and <c>flow_executions</c> are
/// the grain's durable state (migrations 0070, 0080): it is their only writer, so it reads them back only on activation.
/// Every commit is one transaction, fenced by the contact row's version (and the execution row's), and carries the
/// domain events of the change (the event outlet, <c>contact_events</c>).
/// </summary>
public sealed class ContactStore(Database database)
{
    internal async Task<LoadedContact> LoadAsync(long botId, string waId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
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
            },
        };

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var contact = await reader.ReadAsync(cancellationToken) ? ReadContact(reader) : null;

        await reader.NextResultAsync(cancellationToken);
        var attributes = new List<(string, StoredAttribute)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attributes.Add((reader.GetString(0), new StoredAttribute(
                new Attributes.AttributeValue(reader.GetString(1), reader.GetString(2)), Time(reader, 3)!.Value, Time(reader, 4))));
        }

        await reader.NextResultAsync(cancellationToken);
        var execution = await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;

        await reader.NextResultAsync(cancellationToken);
        DateTimeOffset? lastInbound = await reader.ReadAsync(cancellationToken) ? Time(reader, 0) : null;
        return new LoadedContact(contact, attributes, execution, lastInbound);
    }

    /// <summary>The contact's inbound messages after <paramref name="cursor"/>, oldest first, at most <paramref name="limit"/>.</summary>
    internal async Task<IReadOnlyList<PendingInbound>> LoadInboundAfterAsync(
        long botId, string waId, long cursor, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT id, organization_id, wa_message_id, message_type, text, reply_id, profile_name, coalesce(wa_timestamp, created_at),
                   from_user_id, username
            FROM messages
            WHERE bot_id = @bot AND contact_wa_id = @wa AND direction = 'inbound' AND id > @cursor
            ORDER BY id
            LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("wa", waId);
        command.Parameters.AddWithValue("cursor", cursor);
        command.Parameters.AddWithValue("limit", limit);
        var messages = new List<PendingInbound>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new PendingInbound(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                Text(reader, 4), Text(reader, 5), Text(reader, 6), Time(reader, 7)!.Value, Text(reader, 8), Text(reader, 9)));
        }

        return messages;
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

    /// <summary>
    /// Writes the changes in one transaction and returns the rows with their new ids and versions.
    /// <see cref="ContactFencedException"/>: another activation committed first (nothing written).
    /// A unique violation of the one-active-execution index surfaces as <see cref="PostgresException"/>.
    /// </summary>
    internal async Task<CommittedChanges> CommitAsync(long botId, string waId, ContactChanges changes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var contact = await SaveContactAsync(connection, transaction, botId, waId, changes.Contact, cancellationToken);
        await UpsertAttributesAsync(connection, transaction, contact.Id, changes.UpsertAttributes, cancellationToken);
        foreach (var key in changes.DeleteAttributes)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM contact_attributes WHERE contact_id = @contact AND key = @key", connection, transaction);
            delete.Parameters.AddWithValue("contact", contact.Id);
            delete.Parameters.AddWithValue("key", key);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var execution = changes.Execution is { } e
            ? await SaveExecutionAsync(connection, transaction, botId, waId, contact.Id, e, changes.Logs, cancellationToken)
            : null;
        var events = changes.Events
            .Select(ev => ev with { ContactId = ev.ContactId ?? contact.Id, ExecutionId = ev.ExecutionId ?? (IsExecutionEvent(ev.Type) ? execution?.Id : null) })
            .ToList();
        await ContactEventSql.InsertAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CommittedChanges(contact, execution);
    }

    private static bool IsExecutionEvent(string type) =>
        type is ContactEventTypes.FlowStarted or ContactEventTypes.NodeEntered or ContactEventTypes.FlowCompleted or ContactEventTypes.FlowFailed;

    private static async Task<ContactRecord> SaveContactAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long botId, string waId, ContactRecord c, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(c.IsStored
            ? """
              UPDATE contacts SET name = @name, first_name = @first_name, last_name = @last_name, username = @username, bsuid = @bsuid,
                  opted_in = @opted_in, opted_changed_at = @opted_changed_at, updated_at = @updated_at,
                  last_inbound_at = @last_inbound_at, inbound_cursor = @cursor, version = version + 1
              WHERE id = @id AND version = @version
              RETURNING id, version
              """
            : """
              INSERT INTO contacts (bot_id, organization_id, wa_id, name, first_name, last_name, username, bsuid, opted_in,
                  opted_changed_at, created_at, updated_at, last_inbound_at, inbound_cursor, version)
              VALUES (@bot, @org, @wa, @name, @first_name, @last_name, @username, @bsuid, @opted_in, @opted_changed_at, @created_at,
                  @updated_at, @last_inbound_at, @cursor, 1)
              ON CONFLICT (bot_id, wa_id) DO NOTHING
              RETURNING id, version
              """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("id", c.Id);
        p.AddWithValue("version", c.Version);
        p.AddWithValue("bot", botId);
        p.AddWithValue("org", c.OrganizationId);
        p.AddWithValue("wa", waId);
        p.Add(TextParameter("name", c.Name));
        p.Add(TextParameter("first_name", c.FirstName));
        p.Add(TextParameter("last_name", c.LastName));
        p.Add(TextParameter("username", c.Username));
        p.Add(TextParameter("bsuid", c.Bsuid));
        p.AddWithValue("opted_in", c.OptedIn);
        p.Add(TimeParameter("opted_changed_at", c.OptedChangedAt));
        p.AddWithValue("created_at", c.CreatedAt);
        p.Add(TimeParameter("updated_at", c.UpdatedAt));
        p.Add(TimeParameter("last_inbound_at", c.StoredLastInboundAt));
        p.AddWithValue("cursor", c.InboundCursor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new ContactFencedException(c.IsStored
                ? $"contact {c.Id} is no longer at version {c.Version}: another activation committed first"
                : $"contact ({botId}, {waId}) was created by another activation");
        }

        return c with { Id = reader.GetInt64(0), Version = reader.GetInt64(1) };
    }

    private static async Task<ExecutionRecord> SaveExecutionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long botId, string waId, long contactId,
        ExecutionRecord execution, List<StepLog> logs, CancellationToken cancellationToken)
    {
        var s = execution.Snapshot;
        var insert = execution.Id == 0;
        await using var command = new NpgsqlCommand(insert
            ? """
              INSERT INTO flow_executions (organization_id, bot_id, flow_id, flow_version, contact_id, contact_wa_id, status,
                  current_node_id, state, wake_at, pending_effect, run_started_at, steps_this_run, steps, error, trigger,
                  started_by, log_count, started_at, updated_at, ended_at, version)
              VALUES (@org, @bot, @flow, @version, @contact, @wa, @status, @node, @state::jsonb, @wake_at, @pending,
                  @run_started_at, @steps_this_run, @steps, @error, @trigger, @started_by, @log_count, @started_at,
                  @updated_at, @ended_at, 1)
              RETURNING id, version
              """
            : """
              UPDATE flow_executions SET status = @status, current_node_id = @node, state = @state::jsonb, wake_at = @wake_at,
                  pending_effect = @pending, run_started_at = @run_started_at, steps_this_run = @steps_this_run, steps = @steps,
                  error = @error, log_count = @log_count, updated_at = @updated_at, ended_at = @ended_at, version = version + 1
              WHERE id = @id AND version = @row_version
              RETURNING id, version
              """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("id", execution.Id);
        p.AddWithValue("row_version", execution.Version);
        p.AddWithValue("org", execution.OrganizationId);
        p.AddWithValue("bot", botId);
        p.AddWithValue("flow", execution.FlowId);
        p.AddWithValue("version", execution.FlowVersion);
        p.AddWithValue("contact", contactId);
        p.AddWithValue("wa", waId);
        p.AddWithValue("status", StatusText(s.Status));
        p.Add(BigintParameter("node", s.CurrentNodeId));
        p.AddWithValue("state", ExecutionSnapshot.SerializeVariables(s.Variables));
        p.Add(TimeParameter("wake_at", s.WakeAt));
        p.Add(TextParameter("pending", PendingText(s.PendingEffect)));
        p.AddWithValue("run_started_at", s.RunStartedAt);
        p.AddWithValue("steps_this_run", s.StepsThisRun);
        p.AddWithValue("steps", s.TotalSteps);
        p.Add(TextParameter("error", s.Error));
        p.AddWithValue("trigger", execution.Trigger);
        p.Add(BigintParameter("started_by", execution.StartedBy));
        p.AddWithValue("log_count", execution.LogCount);
        p.AddWithValue("started_at", s.StartedAt);
        p.AddWithValue("updated_at", execution.UpdatedAt);
        p.Add(TimeParameter("ended_at", s.EndedAt));
        ExecutionRecord saved;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new ContactFencedException($"execution {execution.Id} is no longer at version {execution.Version}: another activation committed first");
            }

            saved = execution with { Id = reader.GetInt64(0), Version = reader.GetInt64(1) };
        }

        if (logs.Count > 0)
        {
            await InsertLogsAsync(connection, transaction, saved.Id, execution.LogCount - logs.Count + 1, logs, cancellationToken);
        }

        return saved;
    }

    private static async Task InsertLogsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long executionId, int firstSeq, List<StepLog> logs, CancellationToken cancellationToken)
    {
        // Idempotent by (execution_id, seq): a retried commit cannot log a step twice.
        await using var log = new NpgsqlCommand("""
            INSERT INTO flow_execution_logs (execution_id, seq, node_id, node_type, event, level, detail, created_at)
            SELECT @id, @first + o - 1, n, t, e, l, d, a
            FROM unnest(@nodes, @types, @events, @levels, @details, @ats) WITH ORDINALITY AS x(n, t, e, l, d, a, o)
            ON CONFLICT (execution_id, seq) DO NOTHING
            """, connection, transaction);
        var p = log.Parameters;
        p.AddWithValue("id", executionId);
        p.AddWithValue("first", firstSeq);
        p.Add(new NpgsqlParameter("nodes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = logs.Select(l => (object?)l.NodeId ?? DBNull.Value).ToArray() });
        p.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => (object?)l.NodeType ?? DBNull.Value).ToArray() });
        p.Add(new NpgsqlParameter("events", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => l.Event).ToArray() });
        p.Add(new NpgsqlParameter("levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => l.Level).ToArray() });
        p.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => Truncate(l.Detail)).ToArray() });
        p.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = logs.Select(l => l.At).ToArray() });
        await log.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task UpsertAttributesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long contactId,
        IReadOnlyList<(string Key, StoredAttribute Attribute)> attributes, CancellationToken cancellationToken)
    {
        foreach (var (key, stored) in attributes)
        {
            var value = stored.Value;
            await using var command = new NpgsqlCommand("""
                INSERT INTO contact_attributes (contact_id, key, value_type, value, number_value, boolean_value, json_value, created_at, updated_at)
                VALUES (@contact, @key, @type, @value, @number, @boolean, @json::jsonb, @created_at, @updated_at)
                ON CONFLICT (contact_id, key) DO UPDATE SET value_type = EXCLUDED.value_type, value = EXCLUDED.value,
                    number_value = EXCLUDED.number_value, boolean_value = EXCLUDED.boolean_value,
                    json_value = EXCLUDED.json_value, updated_at = EXCLUDED.updated_at
                """, connection, transaction);
            var p = command.Parameters;
            p.AddWithValue("contact", contactId);
            p.AddWithValue("key", key);
            p.AddWithValue("type", value.ValueType);
            p.AddWithValue("value", value.Value);
            p.Add(new NpgsqlParameter("number", NpgsqlDbType.Double)
            {
                Value = value.ValueType == AttributeValueTypes.Number ? double.Parse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture) : DBNull.Value,
            });
            p.Add(new NpgsqlParameter("boolean", NpgsqlDbType.Boolean)
            {
                Value = value.ValueType == AttributeValueTypes.Boolean ? value.Value == "true" : DBNull.Value,
            });
            p.Add(TextParameter("json", value.ValueType == AttributeValueTypes.Json ? value.Value : null));
            p.AddWithValue("created_at", stored.CreatedAt);
            p.Add(TimeParameter("updated_at", stored.UpdatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlBatchCommand Command(string sql, long botId, string waId) => new(sql)
    {
        Parameters = { new NpgsqlParameter("bot", botId), new NpgsqlParameter("wa", waId) },
    };
}
