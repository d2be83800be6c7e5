using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Contacts;

/// <summary>The contact's row (<c>contacts</c>) as the grain holds it.</summary>
internal sealed class ContactRecord
{
    public long Id { get; init; }

    public long OrganizationId { get; init; }

    public string? Name { get; set; }

    public bool OptedIn { get; set; } = true;

    public DateTimeOffset? OptedChangedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>What the row says; refreshed at most once a minute (the exact time comes from the messages table).</summary>
    public DateTimeOffset? StoredLastInboundAt { get; set; }
}

/// <summary>A stored attribute with its timestamps.</summary>
internal sealed record StoredAttribute(AttributeValue Value, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

/// <summary>The contact's active (or just ended) execution: the row of <c>flow_executions</c> as the grain holds it.</summary>
internal sealed class ExecutionRecord
{
    public long Id { get; set; }

    public long OrganizationId { get; init; }

    public long FlowId { get; init; }

    public int FlowVersion { get; init; }

    public required string Trigger { get; init; }

    public long? StartedBy { get; init; }

    public required ExecutionSnapshot Snapshot { get; set; }

    public int LogCount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Everything the grain loads on activation, in one round trip.</summary>
internal sealed record LoadedContact(
    ContactRecord? Contact,
    IReadOnlyList<(string Key, StoredAttribute Attribute)> Attributes,
    ExecutionRecord? ActiveExecution,
    DateTimeOffset? LastInboundAt);

/// <summary>
/// One transaction of the contact grain: attribute writes and deletes, the execution row and its new log lines.
/// Written before each external side effect, so the rows always hold the progress a crash resumes from.
/// </summary>
internal sealed class ContactChanges
{
    public List<(string Key, StoredAttribute Attribute)> UpsertAttributes { get; } = [];

    public List<string> DeleteAttributes { get; } = [];

    public ExecutionRecord? Execution { get; set; }

    public List<StepLog> Logs { get; } = [];

    public bool IsEmpty => UpsertAttributes.Count == 0 && DeleteAttributes.Count == 0 && Execution is null && Logs.Count == 0;
}

/// <summary>
/// The SQL of the contact grain. The rows of <c>contacts</c>, <c>contact_attributes</c> and <c>flow_executions</c> are
/// the grain's durable state (see migration 0070): it is their only writer, so it never reads them back except on
/// activation.
/// </summary>
public sealed class ContactStore(Database database)
{
    private const string ActiveStatuses = "('running', 'waiting', 'waiting_for_reply')";

    internal async Task<LoadedContact> LoadAsync(long botId, string waId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command("""
                    SELECT id, organization_id, name, opted_in, opted_changed_at, created_at, updated_at, last_inbound_at
                    FROM contacts WHERE bot_id = @bot AND wa_id = @wa
                    """, botId, waId),
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
        ContactRecord? contact = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            contact = new ContactRecord
            {
                Id = reader.GetInt64(0),
                OrganizationId = reader.GetInt64(1),
                Name = reader.IsDBNull(2) ? null : reader.GetString(2),
                OptedIn = reader.GetBoolean(3),
                OptedChangedAt = Time(reader, 4),
                CreatedAt = Time(reader, 5)!.Value,
                UpdatedAt = Time(reader, 6),
                StoredLastInboundAt = Time(reader, 7),
            };
        }

        await reader.NextResultAsync(cancellationToken);
        var attributes = new List<(string, StoredAttribute)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            attributes.Add((reader.GetString(0), new StoredAttribute(
                new AttributeValue(reader.GetString(1), reader.GetString(2)), Time(reader, 3)!.Value, Time(reader, 4))));
        }

        await reader.NextResultAsync(cancellationToken);
        var execution = await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;

        await reader.NextResultAsync(cancellationToken);
        DateTimeOffset? lastInbound = await reader.ReadAsync(cancellationToken) ? Time(reader, 0) : null;
        return new LoadedContact(contact, attributes, execution, lastInbound);
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

    /// <summary>Inserts the contact; null when a row for (bot, wa_id) already exists.</summary>
    internal async Task<ContactRecord?> InsertContactAsync(
        long botId, long organizationId, string waId, string? name, bool optedIn, DateTimeOffset now,
        IReadOnlyList<(string Key, StoredAttribute Attribute)> attributes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO contacts (bot_id, organization_id, wa_id, name, opted_in, opted_changed_at, created_at)
            VALUES (@bot, @org, @wa, @name, @opted_in, @opted_changed_at, @now)
            ON CONFLICT (bot_id, wa_id) DO NOTHING
            RETURNING id
            """, connection, transaction);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("org", organizationId);
        command.Parameters.AddWithValue("wa", waId);
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = (object?)name ?? DBNull.Value });
        command.Parameters.AddWithValue("opted_in", optedIn);
        command.Parameters.Add(new NpgsqlParameter("opted_changed_at", NpgsqlDbType.TimestampTz) { Value = optedIn ? DBNull.Value : now });
        command.Parameters.AddWithValue("now", now);
        if (await command.ExecuteScalarAsync(cancellationToken) is not long id)
        {
            return null;
        }

        await UpsertAttributesAsync(connection, transaction, id, attributes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ContactRecord
        {
            Id = id,
            OrganizationId = organizationId,
            Name = name,
            OptedIn = optedIn,
            CreatedAt = now,
            OptedChangedAt = optedIn ? null : now,
        };
    }

    internal async Task UpdateContactAsync(ContactRecord contact, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE contacts SET name = @name, opted_in = @opted_in, opted_changed_at = @opted_changed_at,
                                updated_at = @updated_at, last_inbound_at = @last_inbound_at
            WHERE id = @id
            """, connection);
        command.Parameters.AddWithValue("id", contact.Id);
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlDbType.Text) { Value = (object?)contact.Name ?? DBNull.Value });
        command.Parameters.AddWithValue("opted_in", contact.OptedIn);
        command.Parameters.Add(TimeParameter("opted_changed_at", contact.OptedChangedAt));
        command.Parameters.Add(TimeParameter("updated_at", contact.UpdatedAt));
        command.Parameters.Add(TimeParameter("last_inbound_at", contact.StoredLastInboundAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the changes in one transaction. A new execution (<see cref="ExecutionRecord.Id"/> 0) is inserted and gets
    /// its id; a unique violation of the one-active-execution index surfaces as <see cref="PostgresException"/>.
    /// </summary>
    internal async Task CommitAsync(long botId, string waId, long contactId, ContactChanges changes, CancellationToken cancellationToken)
    {
        if (changes.IsEmpty)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await UpsertAttributesAsync(connection, transaction, contactId, changes.UpsertAttributes, cancellationToken);
        foreach (var key in changes.DeleteAttributes)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM contact_attributes WHERE contact_id = @contact AND key = @key", connection, transaction);
            delete.Parameters.AddWithValue("contact", contactId);
            delete.Parameters.AddWithValue("key", key);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        if (changes.Execution is { } execution)
        {
            await SaveExecutionAsync(connection, transaction, botId, waId, contactId, execution, changes.Logs, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task SaveExecutionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long botId, string waId, long contactId,
        ExecutionRecord execution, List<StepLog> logs, CancellationToken cancellationToken)
    {
        var s = execution.Snapshot;
        var firstSeq = execution.LogCount - logs.Count + 1;
        var insert = execution.Id == 0;
        await using var command = new NpgsqlCommand(insert
            ? """
              INSERT INTO flow_executions (organization_id, bot_id, flow_id, flow_version, contact_id, contact_wa_id, status,
                  current_node_id, state, wake_at, pending_effect, run_started_at, steps_this_run, steps, error, trigger,
                  started_by, log_count, started_at, updated_at, ended_at)
              VALUES (@org, @bot, @flow, @version, @contact, @wa, @status, @node, @state::jsonb, @wake_at, @pending,
                  @run_started_at, @steps_this_run, @steps, @error, @trigger, @started_by, @log_count, @started_at,
                  @updated_at, @ended_at)
              RETURNING id
              """
            : """
              UPDATE flow_executions SET status = @status, current_node_id = @node, state = @state::jsonb, wake_at = @wake_at,
                  pending_effect = @pending, run_started_at = @run_started_at, steps_this_run = @steps_this_run, steps = @steps,
                  error = @error, log_count = @log_count, updated_at = @updated_at, ended_at = @ended_at
              WHERE id = @id
              RETURNING id
              """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("id", execution.Id);
        p.AddWithValue("org", execution.OrganizationId);
        p.AddWithValue("bot", botId);
        p.AddWithValue("flow", execution.FlowId);
        p.AddWithValue("version", execution.FlowVersion);
        p.AddWithValue("contact", contactId);
        p.AddWithValue("wa", waId);
        p.AddWithValue("status", StatusText(s.Status));
        p.Add(new NpgsqlParameter("node", NpgsqlDbType.Bigint) { Value = (object?)s.CurrentNodeId ?? DBNull.Value });
        p.AddWithValue("state", ExecutionSnapshot.SerializeVariables(s.Variables));
        p.Add(TimeParameter("wake_at", s.WakeAt));
        p.Add(new NpgsqlParameter("pending", NpgsqlDbType.Text) { Value = PendingText(s.PendingEffect) ?? (object)DBNull.Value });
        p.AddWithValue("run_started_at", s.RunStartedAt);
        p.AddWithValue("steps_this_run", s.StepsThisRun);
        p.AddWithValue("steps", s.TotalSteps);
        p.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)s.Error ?? DBNull.Value });
        p.AddWithValue("trigger", execution.Trigger);
        p.Add(new NpgsqlParameter("started_by", NpgsqlDbType.Bigint) { Value = (object?)execution.StartedBy ?? DBNull.Value });
        p.AddWithValue("log_count", execution.LogCount);
        p.AddWithValue("started_at", s.StartedAt);
        p.AddWithValue("updated_at", execution.UpdatedAt);
        p.Add(TimeParameter("ended_at", s.EndedAt));
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        execution.Id = id;

        if (logs.Count == 0)
        {
            return;
        }

        // Idempotent by (execution_id, seq): a retried commit cannot log a step twice.
        await using var log = new NpgsqlCommand("""
            INSERT INTO flow_execution_logs (execution_id, seq, node_id, node_type, event, level, detail, created_at)
            SELECT @id, @first + o - 1, n, t, e, l, d, a
            FROM unnest(@nodes, @types, @events, @levels, @details, @ats) WITH ORDINALITY AS x(n, t, e, l, d, a, o)
            ON CONFLICT (execution_id, seq) DO NOTHING
            """, connection, transaction);
        log.Parameters.AddWithValue("id", id);
        log.Parameters.AddWithValue("first", firstSeq);
        log.Parameters.Add(new NpgsqlParameter("nodes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = logs.Select(l => (object?)l.NodeId ?? DBNull.Value).ToArray() });
        log.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => (object?)l.NodeType ?? DBNull.Value).ToArray() });
        log.Parameters.Add(new NpgsqlParameter("events", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => l.Event).ToArray() });
        log.Parameters.Add(new NpgsqlParameter("levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => l.Level).ToArray() });
        log.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = logs.Select(l => Truncate(l.Detail)).ToArray() });
        log.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = logs.Select(l => l.At).ToArray() });
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
            p.Add(new NpgsqlParameter("json", NpgsqlDbType.Text) { Value = value.ValueType == AttributeValueTypes.Json ? value.Value : DBNull.Value });
            p.AddWithValue("created_at", stored.CreatedAt);
            p.Add(TimeParameter("updated_at", stored.UpdatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private const string ExecutionColumns = """
        id, organization_id, flow_id, flow_version, status, current_node_id, state::text, wake_at, pending_effect,
        run_started_at, steps_this_run, steps, error, trigger, started_by, log_count, started_at, updated_at, ended_at
        """;

    private static ExecutionRecord ReadExecution(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        OrganizationId = r.GetInt64(1),
        FlowId = r.GetInt64(2),
        FlowVersion = r.GetInt32(3),
        Snapshot = new ExecutionSnapshot(
            Status: ParseStatus(r.GetString(4)),
            CurrentNodeId: r.IsDBNull(5) ? null : r.GetInt64(5),
            Variables: ExecutionSnapshot.DeserializeVariables(r.GetString(6)),
            StartedAt: Time(r, 16)!.Value,
            RunStartedAt: Time(r, 9)!.Value,
            StepsThisRun: r.GetInt32(10),
            TotalSteps: r.GetInt32(11),
            WakeAt: Time(r, 7),
            PendingEffect: r.IsDBNull(8) ? null : r.GetString(8) == "send" ? PendingEffectKind.Send : PendingEffectKind.Webhook,
            Error: r.IsDBNull(12) ? null : r.GetString(12),
            EndedAt: Time(r, 18)),
        Trigger = r.GetString(13),
        StartedBy = r.IsDBNull(14) ? null : r.GetInt64(14),
        LogCount = r.GetInt32(15),
        UpdatedAt = Time(r, 17)!.Value,
    };

    internal static string StatusText(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Waiting => "waiting",
        ExecutionStatus.WaitingForReply => "waiting_for_reply",
        ExecutionStatus.Completed => "completed",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static ExecutionStatus ParseStatus(string text) => text switch
    {
        "running" => ExecutionStatus.Running,
        "waiting" => ExecutionStatus.Waiting,
        "waiting_for_reply" => ExecutionStatus.WaitingForReply,
        "completed" => ExecutionStatus.Completed,
        "failed" => ExecutionStatus.Failed,
        "cancelled" => ExecutionStatus.Cancelled,
        _ => throw new InvalidOperationException($"Unknown execution status '{text}'."),
    };

    private static string? PendingText(PendingEffectKind? kind) => kind switch
    {
        PendingEffectKind.Send => "send",
        PendingEffectKind.Webhook => "webhook",
        _ => null,
    };

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    private static NpgsqlBatchCommand Command(string sql, long botId, string waId) => new(sql)
    {
        Parameters = { new NpgsqlParameter("bot", botId), new NpgsqlParameter("wa", waId) },
    };

    private static NpgsqlParameter TimeParameter(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v : DBNull.Value };

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    internal static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
