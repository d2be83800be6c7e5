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
/// One contact commit as ONE statement, so that it can share a batch (<see cref="BatchingStatementWriter"/>) with other
/// contacts' commits: the contact row under its fence, attribute writes and deletes, the execution row and its new log lines
/// and the change's events are data-modifying CTEs that all hang off the fenced contact row (<c>c</c>). When the fence fails
/// (another activation committed first, or inserted the contact) <c>c</c> is empty, every other part writes nothing and the
/// statement returns no row. The execution row's own version is checked inside the contact's fence; an execution row that
/// still moved underneath raises (SQLSTATE 40001) so that nothing of the commit stays.
/// </summary>
internal sealed class ContactCommitStatement : BatchedStatement<(long ContactId, long ContactVersion, long? ExecutionId, long? ExecutionVersion)?>
{
    private const string UpdateContact = """
        UPDATE contacts SET name = @name, first_name = @first_name, last_name = @last_name, username = @username, bsuid = @bsuid,
            opted_in = @opted_in, opted_changed_at = @opted_changed_at, updated_at = @updated_at,
            last_inbound_at = @last_inbound_at, inbound_cursor = @cursor, version = version + 1
        WHERE id = @id AND version = @version
          AND (@exec_id = 0 OR EXISTS (SELECT 1 FROM flow_executions WHERE id = @exec_id AND version = @exec_version))
        RETURNING id, version
        """;

    private const string InsertContact = """
        INSERT INTO contacts (bot_id, organization_id, wa_id, name, first_name, last_name, username, bsuid, opted_in,
            opted_changed_at, created_at, updated_at, last_inbound_at, inbound_cursor, version)
        VALUES (@bot, @org, @wa, @name, @first_name, @last_name, @username, @bsuid, @opted_in, @opted_changed_at, @created_at,
            @updated_at, @last_inbound_at, @cursor, 1)
        ON CONFLICT (bot_id, wa_id) DO NOTHING
        RETURNING id, version
        """;

    private const string DeleteAttributes = """
        DELETE FROM contact_attributes a USING c WHERE a.contact_id = c.id AND a.key = ANY(@del_keys)
        """;

    private const string UpsertAttributes = """
        INSERT INTO contact_attributes (contact_id, key, value_type, value, number_value, boolean_value, json_value, created_at, updated_at)
        SELECT c.id, x.key, x.value_type, x.value, x.number_value, x.boolean_value, x.json_value::jsonb, x.created_at, x.updated_at
        FROM c, unnest(@a_keys, @a_types, @a_values, @a_numbers, @a_booleans, @a_jsons, @a_created, @a_updated)
             AS x(key, value_type, value, number_value, boolean_value, json_value, created_at, updated_at)
        ON CONFLICT (contact_id, key) DO UPDATE SET value_type = EXCLUDED.value_type, value = EXCLUDED.value,
            number_value = EXCLUDED.number_value, boolean_value = EXCLUDED.boolean_value,
            json_value = EXCLUDED.json_value, updated_at = EXCLUDED.updated_at
        """;

    private const string InsertExecution = """
        INSERT INTO flow_executions (organization_id, bot_id, flow_id, flow_version, contact_id, contact_wa_id, status,
            current_node_id, state, wake_at, pending_effect, run_started_at, steps_this_run, steps, error, trigger,
            started_by, log_count, started_at, updated_at, ended_at, version, start_key)
        SELECT @e_org, @bot, @flow, @flow_version, c.id, @wa, @status, @node, @state::jsonb, @wake_at, @pending,
            @run_started_at, @steps_this_run, @steps, @error, @trigger, @started_by, @log_count, @started_at,
            @e_updated_at, @ended_at, 1, @start_key
        FROM c
        RETURNING id, version
        """;

    private const string UpdateExecution = """
        UPDATE flow_executions f SET status = @status, current_node_id = @node, state = @state::jsonb, wake_at = @wake_at,
            pending_effect = @pending, run_started_at = @run_started_at, steps_this_run = @steps_this_run, steps = @steps,
            error = @error, log_count = @log_count, updated_at = @e_updated_at, ended_at = @ended_at, version = f.version + 1
        FROM c
        WHERE f.id = @exec_id AND f.version = @exec_version
        RETURNING f.id, f.version
        """;

    // Idempotent by (execution_id, seq): a retried commit cannot log a step twice.
    private const string InsertLogs = """
        INSERT INTO flow_execution_logs (execution_id, seq, node_id, node_type, event, level, detail, created_at)
        SELECT e.id, @first_seq + x.o - 1, x.n, x.t, x.ev, x.l, x.d, x.a
        FROM e, unnest(@l_nodes, @l_types, @l_events, @l_levels, @l_details, @l_ats) WITH ORDINALITY AS x(n, t, ev, l, d, a, o)
        ON CONFLICT (execution_id, seq) DO NOTHING
        """;

    private readonly long _botId;
    private readonly string _waId;
    private readonly ContactChanges _changes;
    private readonly string _sql;

    public override string? LockKey => StatementLockKeys.Contact(_botId, _waId);

    public ContactCommitStatement(long botId, string waId, ContactChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _botId = botId;
        _waId = waId;
        _changes = changes;
        var c = changes.Contact;
        var execution = changes.Execution;
        var parts = new List<string> { $"c AS ({(c.IsStored ? UpdateContact : InsertContact)})" };
        if (c.IsStored && changes.DeleteAttributes.Count > 0)
        {
            parts.Add($"attr_del AS ({DeleteAttributes})");
        }

        if (changes.UpsertAttributes.Count > 0)
        {
            parts.Add($"attr_up AS ({UpsertAttributes})");
        }

        if (execution is not null)
        {
            parts.Add($"e AS ({(execution.Id == 0 ? InsertExecution : UpdateExecution)})");
            if (changes.Logs.Count > 0)
            {
                parts.Add($"logs AS ({InsertLogs})");
            }
        }

        if (changes.Events.Count > 0)
        {
            parts.Add($"""
                events AS (
                    INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, contact_id, message_id, execution_id,
                                                flow_id, node_id, occurred_at, data)
                    SELECT x.type, x.bot_id, x.organization_id, x.contact_wa_id, coalesce(x.contact_id, c.id), x.message_id,
                           coalesce(x.execution_id, CASE WHEN x.execution_event THEN {(execution is null ? "NULL::bigint" : "e.id")} END),
                           x.flow_id, x.node_id, x.occurred_at, coalesce(x.data::jsonb, '{"{}"}'::jsonb)
                    FROM c {(execution is null ? "" : "LEFT JOIN e ON true")},
                         unnest(@ev_types, @ev_bots, @ev_orgs, @ev_was, @ev_contacts, @ev_messages, @ev_executions, @ev_flows,
                                @ev_nodes, @ev_ats, @ev_data, @ev_exec)
                         WITH ORDINALITY AS x(type, bot_id, organization_id, contact_wa_id, contact_id, message_id, execution_id,
                                              flow_id, node_id, occurred_at, data, execution_event, ord)
                    ORDER BY x.ord
                )
                """);
        }

        var select = execution is null
            ? "SELECT c.id, c.version, NULL::bigint, NULL::bigint FROM c"
            : "SELECT c.id, c.version, coalesce(e.id, chatboost_fence_violation('the execution row moved under a fenced contact commit')), e.version FROM c LEFT JOIN e ON true";
        _sql = $"WITH {string.Join(",\n", parts)}\n{select}";
    }

    public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands()
    {
        var changes = _changes;
        var c = changes.Contact;
        var execution = changes.Execution;
        var command = new NpgsqlBatchCommand(_sql);
        AddContact(command.Parameters, _botId, _waId, c);
        var p = command.Parameters;
        p.AddWithValue("exec_id", execution?.Id ?? 0L);
        p.AddWithValue("exec_version", execution?.Version ?? 0L);
        if (c.IsStored && changes.DeleteAttributes.Count > 0)
        {
            p.Add(new NpgsqlParameter<string[]>("del_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. changes.DeleteAttributes] });
        }

        if (changes.UpsertAttributes.Count > 0)
        {
            AddAttributes(p, changes.UpsertAttributes);
        }

        if (execution is not null)
        {
            AddExecution(p, execution);
            if (changes.Logs.Count > 0)
            {
                AddLogs(p, execution.LogCount - changes.Logs.Count + 1, changes.Logs);
            }
        }

        if (changes.Events.Count > 0)
        {
            AddEvents(p, changes.Events);
        }

        return [command];
    }

    public override async ValueTask<(long ContactId, long ContactVersion, long? ExecutionId, long? ExecutionVersion)?> ReadAsync(
        BatchResults results, CancellationToken cancellationToken)
    {
        var r = results.Reader;
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return (r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3));
    }

    private static bool IsExecutionEvent(string type) =>
        type is ContactEventTypes.FlowStarted or ContactEventTypes.NodeEntered or ContactEventTypes.FlowCompleted or ContactEventTypes.FlowFailed;

    private static void AddContact(NpgsqlParameterCollection p, long botId, string waId, ContactRecord c)
    {
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
    }

    private static void AddAttributes(NpgsqlParameterCollection p, IReadOnlyList<(string Key, StoredAttribute Attribute)> attributes)
    {
        p.Add(Array("a_keys", NpgsqlDbType.Text, attributes.Select(a => (object?)a.Key)));
        p.Add(Array("a_types", NpgsqlDbType.Text, attributes.Select(a => (object?)a.Attribute.Value.ValueType)));
        p.Add(Array("a_values", NpgsqlDbType.Text, attributes.Select(a => (object?)a.Attribute.Value.Value)));
        p.Add(Array("a_numbers", NpgsqlDbType.Double, attributes.Select(a => a.Attribute.Value.ValueType == AttributeValueTypes.Number
            ? double.Parse(a.Attribute.Value.Value, NumberStyles.Float, CultureInfo.InvariantCulture)
            : (object?)null)));
        p.Add(Array("a_booleans", NpgsqlDbType.Boolean, attributes.Select(a => a.Attribute.Value.ValueType == AttributeValueTypes.Boolean
            ? a.Attribute.Value.Value == "true"
            : (object?)null)));
        p.Add(Array("a_jsons", NpgsqlDbType.Text, attributes.Select(a => a.Attribute.Value.ValueType == AttributeValueTypes.Json ? a.Attribute.Value.Value : null)));
        p.Add(Array("a_created", NpgsqlDbType.TimestampTz, attributes.Select(a => (object?)a.Attribute.CreatedAt.ToUniversalTime())));
        p.Add(Array("a_updated", NpgsqlDbType.TimestampTz, attributes.Select(a => (object?)a.Attribute.UpdatedAt?.ToUniversalTime())));
    }

    private static void AddExecution(NpgsqlParameterCollection p, ExecutionRecord execution)
    {
        var s = execution.Snapshot;
        p.AddWithValue("e_org", execution.OrganizationId);
        p.AddWithValue("flow", execution.FlowId);
        p.AddWithValue("flow_version", execution.FlowVersion);
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
        p.Add(TextParameter("start_key", execution.StartKey));
        p.AddWithValue("log_count", execution.LogCount);
        p.AddWithValue("started_at", s.StartedAt);
        p.AddWithValue("e_updated_at", execution.UpdatedAt);
        p.Add(TimeParameter("ended_at", s.EndedAt));
    }

    private static void AddLogs(NpgsqlParameterCollection p, int firstSeq, List<StepLog> logs)
    {
        p.AddWithValue("first_seq", firstSeq);
        p.Add(Array("l_nodes", NpgsqlDbType.Bigint, logs.Select(l => (object?)l.NodeId)));
        p.Add(Array("l_types", NpgsqlDbType.Text, logs.Select(l => (object?)l.NodeType)));
        p.Add(Array("l_events", NpgsqlDbType.Text, logs.Select(l => (object?)l.Event)));
        p.Add(Array("l_levels", NpgsqlDbType.Text, logs.Select(l => (object?)l.Level)));
        p.Add(Array("l_details", NpgsqlDbType.Text, logs.Select(l => (object?)Truncate(l.Detail))));
        p.Add(Array("l_ats", NpgsqlDbType.TimestampTz, logs.Select(l => (object?)l.At.ToUniversalTime())));
    }

    private static void AddEvents(NpgsqlParameterCollection p, List<NewContactEvent> events)
    {
        ContactEventSql.AddParameters(p, events);
        p.Add(Array("ev_exec", NpgsqlDbType.Boolean, events.Select(e => (object?)IsExecutionEvent(e.Type))));
    }

    private static NpgsqlParameter Array(string name, NpgsqlDbType type, IEnumerable<object?> values) => ContactEventSql.Array(name, type, values);
}
