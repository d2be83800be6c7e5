namespace ChatBoost.Grains.Interfaces.Flows;

/// <summary>Execution statuses as the API and the <c>flow_executions</c> table spell them.</summary>
public static class ExecutionStatuses
{
    public const string Running = "running";
    public const string Waiting = "waiting";
    public const string WaitingForReply = "waiting_for_reply";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Running, Waiting, WaitingForReply, Completed, Failed, Cancelled];

    public static bool IsActive(string status) => status is Running or Waiting or WaitingForReply;
}

/// <summary>One flow execution (a row of <c>flow_executions</c>). <see cref="StateJson"/> is the state variables object.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ExecutionView")]
public sealed record ExecutionView(
    [property: Id(0)] long Id,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] long BotId,
    [property: Id(3)] long FlowId,
    [property: Id(4)] int FlowVersion,
    [property: Id(5)] long ContactId,
    [property: Id(6)] string ContactPhone,
    [property: Id(7)] string Status,
    [property: Id(8)] long? CurrentNodeId,
    [property: Id(9)] string StateJson,
    [property: Id(10)] DateTimeOffset? WakeAt,
    [property: Id(11)] string? Error,
    [property: Id(12)] int Steps,
    [property: Id(13)] string Trigger,
    [property: Id(14)] long? StartedBy,
    [property: Id(15)] DateTimeOffset StartedAt,
    [property: Id(16)] DateTimeOffset UpdatedAt,
    [property: Id(17)] DateTimeOffset? EndedAt);

/// <summary>One step log line of an execution, in order (<see cref="Seq"/> from 1).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ExecutionLogView")]
public sealed record ExecutionLogView(
    [property: Id(0)] int Seq,
    [property: Id(1)] long? NodeId,
    [property: Id(2)] string? NodeType,
    [property: Id(3)] string Event,
    [property: Id(4)] string Level,
    [property: Id(5)] string Detail,
    [property: Id(6)] DateTimeOffset At);

/// <summary>Starts a flow for the contact (the grain's key). <see cref="InitialStateJson"/> is a JSON object or null.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.StartExecutionCommand")]
public sealed record StartExecutionCommand(
    [property: Id(0)] long FlowId,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string? InitialStateJson,
    [property: Id(3)] long? StartedBy);

/// <summary>Where an execution lives: its contact grain and organization.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ExecutionAddress")]
public sealed record ExecutionAddress(
    [property: Id(0)] long ExecutionId,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] long BotId,
    [property: Id(3)] string ContactPhone);

[GenerateSerializer, Immutable, Alias("chatboost.flows.ExecutionPage")]
public sealed record ExecutionPage(
    [property: Id(0)] IReadOnlyList<ExecutionView> Items,
    [property: Id(1)] long Total);

/// <summary>Execution counts and timings over a scope (organizations, optionally one bot or flow).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.flows.ExecutionStatistics")]
public sealed record ExecutionStatistics(
    [property: Id(0)] long Total,
    [property: Id(1)] IReadOnlyDictionary<string, long> ByStatus,
    [property: Id(2)] double? CompletionRate,
    [property: Id(3)] double? AverageDurationSeconds,
    [property: Id(4)] IReadOnlyList<FlowExecutionStatistics> ByFlow);

[GenerateSerializer, Immutable, Alias("chatboost.flows.FlowExecutionStatistics")]
public sealed record FlowExecutionStatistics(
    [property: Id(0)] long FlowId,
    [property: Id(1)] string? FlowName,
    [property: Id(2)] long Total,
    [property: Id(3)] IReadOnlyDictionary<string, long> ByStatus,
    [property: Id(4)] double? AverageDurationSeconds);
