using ChatBoost.Grains.Flows.Engine;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Contacts;

/// <summary>How the contact grain's rows map to columns: the execution row's columns and the status and effect names.</summary>
internal static class ContactRowMapping
{
    public const string ActiveStatuses = "('running', 'waiting', 'waiting_for_reply')";

    public const string ContactColumns = """
        id, organization_id, name, first_name, last_name, username, opted_in, opted_changed_at, created_at, updated_at,
        last_inbound_at, inbound_cursor, version, bsuid
        """;

    public const string ExecutionColumns = """
        id, organization_id, flow_id, flow_version, status, current_node_id, state::text, wake_at, pending_effect,
        run_started_at, steps_this_run, steps, error, trigger, started_by, log_count, started_at, updated_at, ended_at, version
        """;

    public static ContactRecord ReadContact(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        OrganizationId = r.GetInt64(1),
        Name = Text(r, 2),
        FirstName = Text(r, 3),
        LastName = Text(r, 4),
        Username = Text(r, 5),
        OptedIn = r.GetBoolean(6),
        OptedChangedAt = Time(r, 7),
        CreatedAt = Time(r, 8)!.Value,
        UpdatedAt = Time(r, 9),
        StoredLastInboundAt = Time(r, 10),
        InboundCursor = r.GetInt64(11),
        Version = r.GetInt64(12),
        Bsuid = Text(r, 13),
    };

    public static ExecutionRecord ReadExecution(NpgsqlDataReader r) => new()
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
            Error: Text(r, 12),
            EndedAt: Time(r, 18)),
        Trigger = r.GetString(13),
        StartedBy = r.IsDBNull(14) ? null : r.GetInt64(14),
        LogCount = r.GetInt32(15),
        UpdatedAt = Time(r, 17)!.Value,
        Version = r.GetInt64(19),
    };

    public static string StatusText(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Waiting => "waiting",
        ExecutionStatus.WaitingForReply => "waiting_for_reply",
        ExecutionStatus.Completed => "completed",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static ExecutionStatus ParseStatus(string text) => text switch
    {
        "running" => ExecutionStatus.Running,
        "waiting" => ExecutionStatus.Waiting,
        "waiting_for_reply" => ExecutionStatus.WaitingForReply,
        "completed" => ExecutionStatus.Completed,
        "failed" => ExecutionStatus.Failed,
        "cancelled" => ExecutionStatus.Cancelled,
        _ => throw new InvalidOperationException($"Unknown execution status '{text}'."),
    };

    public static string? PendingText(PendingEffectKind? kind) => kind switch
    {
        PendingEffectKind.Send => "send",
        PendingEffectKind.Webhook => "webhook",
        _ => null,
    };

    public static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "…";

    public static NpgsqlParameter TimeParameter(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v : DBNull.Value };

    public static NpgsqlParameter TextParameter(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter BigintParameter(string name, long? value) =>
        new(name, NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value };

    public static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
