namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>
/// A trigger as written by the API (the seed's fields). Only the fields of its <see cref="TriggerType"/> are kept; the
/// others must be absent. JSON-valued fields travel as JSON text.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerDefinition")]
public sealed record TriggerDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Description,
    [property: Id(2)] long FlowId,
    [property: Id(3)] string TriggerType,
    [property: Id(4)] bool IsActive,
    [property: Id(5)] int Priority,
    [property: Id(6)] IReadOnlyList<string>? Keywords,
    [property: Id(7)] string? MatchType,
    [property: Id(8)] bool CaseSensitive,
    [property: Id(9)] bool InterruptsWaiting,
    [property: Id(10)] string? EventType,
    [property: Id(11)] string? EventConditionsJson,
    [property: Id(12)] string? ScheduleType,
    [property: Id(13)] string? ScheduleTime,
    [property: Id(14)] string? ScheduleTimezone,
    [property: Id(15)] int? ScheduleDayOfWeek,
    [property: Id(16)] int? ScheduleDayOfMonth,
    [property: Id(17)] string? CronExpression,
    [property: Id(18)] string? AudienceJson);

/// <summary>A stored trigger.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerView")]
public sealed record TriggerView(
    [property: Id(0)] long Id,
    [property: Id(1)] long BotId,
    [property: Id(2)] long OrganizationId,
    [property: Id(3)] TriggerDefinition Definition,
    [property: Id(4)] long CreatedBy,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? UpdatedAt,
    [property: Id(7)] DateTimeOffset? NextRunAt);

/// <summary>Where a trigger lives.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerAddress")]
public sealed record TriggerAddress([property: Id(0)] long TriggerId, [property: Id(1)] long BotId, [property: Id(2)] long OrganizationId);

/// <summary>
/// What <c>POST /triggers/{id}/test</c> found for a message, changing nothing: whether this trigger matches it (which
/// keyword, by which rule), and what the bot would do with the message as a whole (<see cref="WouldRun"/>:
/// <c>opt_out</c>, <c>opt_in</c>, <c>keyword_trigger</c>, <c>default_flow</c> or <c>nothing</c>; a waiting execution is
/// the contact's, so it is not part of a test).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerTestResult")]
public sealed record TriggerTestResult(
    [property: Id(0)] bool Matched,
    [property: Id(1)] string? MatchedKeyword,
    [property: Id(2)] string? MatchType,
    [property: Id(3)] string NormalizedMessage,
    [property: Id(4)] string WouldRun,
    [property: Id(5)] long? WouldRunTriggerId,
    [property: Id(6)] long? WouldRunFlowId,
    [property: Id(7)] string? Detail);

/// <summary>A keyword trigger that claims an inbound message: start <see cref="FlowId"/> at <see cref="FlowVersion"/>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.InboundTriggerMatch")]
public sealed record InboundTriggerMatch(
    [property: Id(0)] long TriggerId,
    [property: Id(1)] long FlowId,
    [property: Id(2)] int FlowVersion,
    [property: Id(3)] string Keyword,
    [property: Id(4)] string MatchType,
    [property: Id(5)] bool InterruptsWaiting);

/// <summary>One line of a trigger's log.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerLogView")]
public sealed record TriggerLogView(
    [property: Id(0)] long Id,
    [property: Id(1)] long TriggerId,
    [property: Id(2)] string Event,
    [property: Id(3)] string? ContactPhone,
    [property: Id(4)] string? MatchedKeyword,
    [property: Id(5)] long? ExecutionId,
    [property: Id(6)] string? Detail,
    [property: Id(7)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerLogPage")]
public sealed record TriggerLogPage([property: Id(0)] IReadOnlyList<TriggerLogView> Items, [property: Id(1)] long Total);

/// <summary>Counters of one trigger since it was created.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerStatisticsView")]
public sealed record TriggerStatisticsView(
    [property: Id(0)] long TriggerId,
    [property: Id(1)] long BotId,
    [property: Id(2)] string Name,
    [property: Id(3)] string TriggerType,
    [property: Id(4)] long Matched,
    [property: Id(5)] long FlowsStarted,
    [property: Id(6)] long Skipped,
    [property: Id(7)] long Failed,
    [property: Id(8)] DateTimeOffset? LastFiredAt);

/// <summary>A page of triggers with the total before paging.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerPage")]
public sealed record TriggerPage([property: Id(0)] IReadOnlyList<TriggerView> Items, [property: Id(1)] long Total);

/// <summary>The filters of <c>GET /triggers/</c>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerFilter")]
public sealed record TriggerFilter(
    [property: Id(0)] IReadOnlyList<long> OrganizationIds,
    [property: Id(1)] long? BotId,
    [property: Id(2)] string? TriggerType,
    [property: Id(3)] bool? IsActive);
