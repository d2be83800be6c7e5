using System.Text.Json;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// <c>POST /triggers/</c>: the seed's body. Only the fields of the trigger's <c>trigger_type</c> may be sent:
/// keyword (<c>keywords</c>, <c>match_type</c> default exact, <c>case_sensitive</c> default false, <c>priority</c>,
/// <c>interrupts_waiting</c>), event (<c>event_type</c>, <c>event_conditions</c>), schedule (<c>schedule_type</c>,
/// <c>schedule_time</c>, <c>schedule_timezone</c> default UTC, <c>schedule_day_of_week</c>, <c>schedule_day_of_month</c>,
/// <c>cron_expression</c>, <c>audience</c>). The cluster checks the rest (422 naming the field).
/// </summary>
public sealed class CreateTriggerRequest : IRequestBody
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public long? BotId { get; init; }

    public long? FlowId { get; init; }

    public string? TriggerType { get; init; }

    public bool? IsActive { get; init; }

    public int? Priority { get; init; }

    public IReadOnlyList<string?>? Keywords { get; init; }

    public string? MatchType { get; init; }

    public bool? CaseSensitive { get; init; }

    public bool? InterruptsWaiting { get; init; }

    public string? EventType { get; init; }

    public JsonElement? EventConditions { get; init; }

    public string? ScheduleType { get; init; }

    public string? ScheduleTime { get; init; }

    public string? ScheduleTimezone { get; init; }

    public int? ScheduleDayOfWeek { get; init; }

    public int? ScheduleDayOfMonth { get; init; }

    public string? CronExpression { get; init; }

    public JsonElement? Audience { get; init; }

    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name);
        errors.Required("trigger_type", TriggerType);
        TriggerValidation.PositiveId("bot_id", BotId, errors);
        TriggerValidation.PositiveId("flow_id", FlowId, errors);
        TriggerValidation.Shapes(Keywords, EventConditions, Audience, errors);
    }

    public TriggerDefinition ToDefinition() => new(
        Name!.Trim(), Description, FlowId!.Value, TriggerType!.Trim(), IsActive ?? true, Priority ?? 0,
        Keywords is null ? null : [.. Keywords.Select(k => k!)],
        TriggerType == "keyword" ? MatchType ?? "exact" : MatchType, CaseSensitive ?? false, InterruptsWaiting ?? false,
        EventType, TriggerValidation.Json(EventConditions), ScheduleType, ScheduleTime,
        TriggerType == "schedule" ? ScheduleTimezone ?? "UTC" : ScheduleTimezone, ScheduleDayOfWeek, ScheduleDayOfMonth, CronExpression,
        TriggerValidation.Json(Audience));
}

/// <summary>
/// <c>PUT /triggers/{trigger_id}</c>: the fields to change (absent or null: unchanged); <c>bot_id</c> and
/// <c>trigger_type</c> cannot change. The result is checked whole, as on create.
/// </summary>
public sealed class UpdateTriggerRequest : IRequestBody
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public long? FlowId { get; init; }

    public bool? IsActive { get; init; }

    public int? Priority { get; init; }

    public IReadOnlyList<string?>? Keywords { get; init; }

    public string? MatchType { get; init; }

    public bool? CaseSensitive { get; init; }

    public bool? InterruptsWaiting { get; init; }

    public string? EventType { get; init; }

    public JsonElement? EventConditions { get; init; }

    public string? ScheduleType { get; init; }

    public string? ScheduleTime { get; init; }

    public string? ScheduleTimezone { get; init; }

    public int? ScheduleDayOfWeek { get; init; }

    public int? ScheduleDayOfMonth { get; init; }

    public string? CronExpression { get; init; }

    public JsonElement? Audience { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.Required("name", Name);
        }

        if (FlowId is not null)
        {
            TriggerValidation.PositiveId("flow_id", FlowId, errors);
        }

        TriggerValidation.Shapes(Keywords, EventConditions, Audience, errors);
    }

    public TriggerDefinition Apply(TriggerDefinition d) => d with
    {
        Name = Name?.Trim() ?? d.Name,
        Description = Description ?? d.Description,
        FlowId = FlowId ?? d.FlowId,
        IsActive = IsActive ?? d.IsActive,
        Priority = Priority ?? d.Priority,
        Keywords = Keywords is null ? d.Keywords : [.. Keywords.Select(k => k!)],
        MatchType = MatchType ?? d.MatchType,
        CaseSensitive = CaseSensitive ?? d.CaseSensitive,
        InterruptsWaiting = InterruptsWaiting ?? d.InterruptsWaiting,
        EventType = EventType ?? d.EventType,
        EventConditionsJson = TriggerValidation.Json(EventConditions) ?? d.EventConditionsJson,
        ScheduleType = ScheduleType ?? d.ScheduleType,
        ScheduleTime = ScheduleTime ?? d.ScheduleTime,
        ScheduleTimezone = ScheduleTimezone ?? d.ScheduleTimezone,
        ScheduleDayOfWeek = ScheduleDayOfWeek ?? d.ScheduleDayOfWeek,
        ScheduleDayOfMonth = ScheduleDayOfMonth ?? d.ScheduleDayOfMonth,
        CronExpression = CronExpression ?? d.CronExpression,
        AudienceJson = TriggerValidation.Json(Audience) ?? d.AudienceJson,
    };
}

/// <summary><c>POST /triggers/{trigger_id}/test</c>: <c>{"test_message": "hello there"}</c>.</summary>
public sealed class TestTriggerRequest : IRequestBody
{
    public const int MaxLength = 4096;

    public string? TestMessage { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (TestMessage is null)
        {
            errors.Add("test_message", "This field is required.");
        }

        errors.MaxLength("test_message", TestMessage, MaxLength);
    }
}

/// <summary>A trigger. Fields of the other trigger types are null.</summary>
public sealed record TriggerResponse(
    long Id,
    string Name,
    string? Description,
    long BotId,
    long OrganizationId,
    long FlowId,
    string TriggerType,
    bool IsActive,
    int Priority,
    IReadOnlyList<string>? Keywords,
    string? MatchType,
    bool? CaseSensitive,
    bool? InterruptsWaiting,
    string? EventType,
    JsonElement? EventConditions,
    string? ScheduleType,
    string? ScheduleTime,
    string? ScheduleTimezone,
    int? ScheduleDayOfWeek,
    int? ScheduleDayOfMonth,
    string? CronExpression,
    JsonElement? Audience,
    DateTimeOffset? NextRunAt,
    long CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    public static TriggerResponse From(TriggerView t)
    {
        var d = t.Definition;
        var keyword = d.TriggerType == "keyword";
        return new(t.Id, d.Name, d.Description, t.BotId, t.OrganizationId, d.FlowId, d.TriggerType, d.IsActive, d.Priority,
            d.Keywords, d.MatchType, keyword ? d.CaseSensitive : null, keyword ? d.InterruptsWaiting : null, d.EventType,
            Parse(d.EventConditionsJson), d.ScheduleType, d.ScheduleTime, d.ScheduleTimezone, d.ScheduleDayOfWeek, d.ScheduleDayOfMonth,
            d.CronExpression, Parse(d.AudienceJson), t.NextRunAt, t.CreatedBy, t.CreatedAt, t.UpdatedAt);
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>What a test found (see <see cref="TriggerTestResult"/>).</summary>
public sealed record TriggerTestResponse(
    long TriggerId,
    string TestMessage,
    string NormalizedMessage,
    bool Matched,
    string? MatchedKeyword,
    string? MatchType,
    string WouldRun,
    long? WouldRunTriggerId,
    long? WouldRunFlowId,
    string? Detail)
{
    public static TriggerTestResponse From(long triggerId, string message, TriggerTestResult r) =>
        new(triggerId, message, r.NormalizedMessage, r.Matched, r.MatchedKeyword, r.MatchType, r.WouldRun, r.WouldRunTriggerId, r.WouldRunFlowId, r.Detail);
}

/// <summary>One line of a trigger's log.</summary>
public sealed record TriggerLogResponse(long Id, long TriggerId, string Event, string? ContactPhone, string? MatchedKeyword, long? ExecutionId, string? Detail, DateTimeOffset CreatedAt)
{
    public static TriggerLogResponse From(TriggerLogView l) => new(l.Id, l.TriggerId, l.Event, l.ContactPhone, l.MatchedKeyword, l.ExecutionId, l.Detail, l.CreatedAt);
}

/// <summary>Counters: <c>fired</c> = the trigger tried to start its flow (flows_started + failed); <c>matched</c> = a
/// message or event met it; <c>skipped</c> = met, but not started for a reason that is not a failure.</summary>
public sealed record TriggerCounters(long Fired, long Matched, long FlowsStarted, long Skipped, long Failed, DateTimeOffset? LastFiredAt);

public sealed record TriggerStatisticsItem(long TriggerId, long BotId, string Name, string TriggerType, TriggerCounters Statistics);

/// <summary><c>GET /triggers/statistics</c>: per trigger and the total over them.</summary>
public sealed record TriggerStatisticsResponse(TriggerCounters Total, IReadOnlyList<TriggerStatisticsItem> Triggers)
{
    public static TriggerStatisticsResponse From(IReadOnlyList<TriggerStatisticsView> rows)
    {
        var items = rows.Select(s => new TriggerStatisticsItem(s.TriggerId, s.BotId, s.Name, s.TriggerType,
            new TriggerCounters(s.FlowsStarted + s.Failed, s.Matched, s.FlowsStarted, s.Skipped, s.Failed, s.LastFiredAt))).ToList();
        var total = new TriggerCounters(
            items.Sum(i => i.Statistics.Fired), items.Sum(i => i.Statistics.Matched), items.Sum(i => i.Statistics.FlowsStarted),
            items.Sum(i => i.Statistics.Skipped), items.Sum(i => i.Statistics.Failed), items.Max(i => i.Statistics.LastFiredAt));
        return new TriggerStatisticsResponse(total, items);
    }
}

internal static class TriggerValidation
{
    public static void PositiveId(string field, long? value, ValidationErrors errors)
    {
        if (value is not > 0)
        {
            errors.Add(field, value is null ? "This field is required." : "Must be a positive id.");
        }
    }

    public static void Shapes(IReadOnlyList<string?>? keywords, JsonElement? conditions, JsonElement? audience, ValidationErrors errors)
    {
        if (keywords is not null && keywords.Any(k => k is null))
        {
            errors.Add("keywords", "Keywords must be strings.");
        }

        if (conditions is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            errors.Add("event_conditions", "Must be an object.");
        }

        if (audience is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            errors.Add("audience", "Must be an object.");
        }
    }

    public static string? Json(JsonElement? element) => element is { ValueKind: JsonValueKind.Object } e ? e.GetRawText() : null;
}
