using System.Globalization;
using Npgsql;

namespace ChatBoost.GrainTests.Queries;

/// <summary>
/// Writes the rows the read-side grains query straight into the cluster's database: organizations, bots, flows with a
/// published version, contacts, typed attributes, executions and their logs. Every test makes its own organizations, so
/// totals are exact whatever else the shared database holds.
/// </summary>
internal sealed class QuerySeed(ChatBoostClusterFixture fixture)
{
    /// <summary>A fixed, whole-second instant (PostgreSQL keeps microseconds; the tests compare exactly).</summary>
    public static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);

    private long? _userId;

    public async Task<long> OrganizationAsync(string name = "Query Org")
    {
        _userId ??= await ScalarAsync<long>(
            """
            INSERT INTO users (email, email_normalized, password_hash, personal_organization_id)
            VALUES (@email, @email, 'x', 0) RETURNING id
            """,
            ("email", $"queries-{Guid.NewGuid():N}@grains.test"));
        return await ScalarAsync<long>(
            """
            INSERT INTO organizations (id, name, is_personal, created_by, created_at)
            VALUES (nextval('organizations_id_seq'), @name, false, @user, @at) RETURNING id
            """,
            ("name", name), ("user", _userId.Value), ("at", T0));
    }

    public Task<long> BotAsync(long organizationId, string name = "Query bot") => ScalarAsync<long>(
        """
        INSERT INTO bots (id, organization_id, name, is_whatsapp_enabled, created_by, created_at)
        VALUES (nextval('bots_id_seq'), @org, @name, true, 1, @at) RETURNING id
        """,
        ("org", organizationId), ("name", name), ("at", T0));

    /// <summary>A flow with its published version 1 (executions reference <c>flow_versions</c>).</summary>
    public async Task<long> FlowAsync(long organizationId, long botId, string name)
    {
        var id = await ScalarAsync<long>(
            """
            INSERT INTO flows (id, bot_id, organization_id, name, node_count, latest_version, created_by, created_at)
            VALUES (nextval('flows_id_seq'), @bot, @org, @name, 0, 1, 1, @at) RETURNING id
            """,
            ("bot", botId), ("org", organizationId), ("name", name), ("at", T0));
        await ExecuteAsync(
            """
            INSERT INTO flow_versions (flow_id, version, definition, published_at, published_by)
            VALUES (@flow, 1, '{"entry_node_id": null, "nodes": []}', @at, 1)
            """,
            ("flow", id), ("at", T0));
        return id;
    }

    public Task<long> ContactAsync(
        long organizationId,
        long botId,
        string phone,
        string? name = null,
        bool optedIn = true,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? updatedAt = null,
        DateTimeOffset? lastInboundAt = null) => ScalarAsync<long>(
        """
        INSERT INTO contacts (bot_id, organization_id, wa_id, name, opted_in, last_inbound_at, created_at, updated_at)
        VALUES (@bot, @org, @phone, @name, @opted_in, @last_inbound_at, @created_at, @updated_at) RETURNING id
        """,
        ("bot", botId), ("org", organizationId), ("phone", phone), ("name", name), ("opted_in", optedIn),
        ("last_inbound_at", lastInboundAt), ("created_at", createdAt ?? T0), ("updated_at", updatedAt));

    public Task StringAttributeAsync(long contactId, string key, string value) =>
        AttributeAsync(contactId, key, "string", value, null, null, null);

    /// <summary>A number attribute: <paramref name="text"/> is the stored text, <paramref name="number"/> the typed column.</summary>
    public Task NumberAttributeAsync(long contactId, string key, string text, double number) =>
        AttributeAsync(contactId, key, "number", text, number, null, null);

    public Task BooleanAttributeAsync(long contactId, string key, bool value) =>
        AttributeAsync(contactId, key, "boolean", value ? "true" : "false", null, value, null);

    public Task JsonAttributeAsync(long contactId, string key, string json) =>
        AttributeAsync(contactId, key, "json", json, null, null, json);

    public Task<long> ExecutionAsync(
        long organizationId,
        long botId,
        long flowId,
        long contactId,
        string phone,
        string status,
        DateTimeOffset? startedAt = null,
        DateTimeOffset? endedAt = null,
        string state = "{}",
        long? currentNodeId = null,
        string? error = null,
        string trigger = "inbound",
        long? startedBy = null,
        int steps = 0)
    {
        var started = startedAt ?? T0;
        var active = status is "running" or "waiting" or "waiting_for_reply";
        DateTimeOffset? wakeAt = status is "waiting" or "waiting_for_reply" ? started.AddHours(1) : null;
        DateTimeOffset? ended = active ? null : endedAt ?? started.AddSeconds(1);
        return ScalarAsync<long>(
            """
            INSERT INTO flow_executions (organization_id, bot_id, flow_id, flow_version, contact_id, contact_wa_id, status,
                current_node_id, state, wake_at, run_started_at, steps_this_run, steps, error, trigger, started_by, log_count,
                started_at, updated_at, ended_at)
            VALUES (@org, @bot, @flow, 1, @contact, @phone, @status, @node, @state::jsonb, @wake_at, @started_at, 0, @steps,
                @error, @trigger, @started_by, 0, @started_at, @updated_at, @ended_at)
            RETURNING id
            """,
            ("org", organizationId), ("bot", botId), ("flow", flowId), ("contact", contactId), ("phone", phone), ("status", status),
            ("node", currentNodeId), ("state", state), ("wake_at", wakeAt), ("started_at", started), ("steps", steps),
            ("error", error), ("trigger", trigger), ("started_by", startedBy), ("updated_at", ended ?? started), ("ended_at", ended));
    }

    public Task LogAsync(long executionId, int seq, string @event, string level, string detail, long? nodeId = null, string? nodeType = null) =>
        ExecuteAsync(
            """
            INSERT INTO flow_execution_logs (execution_id, seq, node_id, node_type, event, level, detail, created_at)
            VALUES (@execution, @seq, @node, @node_type, @event, @level, @detail, @at)
            """,
            ("execution", executionId), ("seq", seq), ("node", nodeId), ("node_type", nodeType), ("event", @event), ("level", level),
            ("detail", detail), ("at", T0.AddSeconds(seq)));

    /// <summary>A phone number no other test uses.</summary>
    public static string NewPhone() =>
        "49" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);

    private Task AttributeAsync(long contactId, string key, string type, string value, double? number, bool? boolean, string? json) =>
        ExecuteAsync(
            """
            INSERT INTO contact_attributes (contact_id, key, value_type, value, number_value, boolean_value, json_value, created_at)
            VALUES (@contact, @key, @type, @value, @number, @boolean, @json::jsonb, @at)
            """,
            ("contact", contactId), ("key", key), ("type", type), ("value", value), ("number", number), ("boolean", boolean),
            ("json", json), ("at", T0));

    private async Task<T> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter(name, DBNull.Value),
                DateTimeOffset t => new NpgsqlParameter<DateTimeOffset>(name, t.ToUniversalTime()),
                _ => new NpgsqlParameter(name, value),
            });
        }

        return command;
    }
}
