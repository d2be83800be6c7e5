using System.Text.Json;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Events;
using ChatBoost.Grains.Triggers.Matching;
using ChatBoost.Grains.Triggers.Schedules;

namespace ChatBoost.Grains.Triggers;

/// <summary>The seed's <c>trigger_type</c> and <c>event_type</c> values.</summary>
public static class TriggerTypes
{
    public const string Keyword = "keyword";
    public const string Event = "event";
    public const string Schedule = "schedule";

    public static readonly IReadOnlyList<string> All = [Keyword, Event, Schedule];

    public static readonly IReadOnlyList<string> EventTypes =
    [
        EventTriggerTypes.NewContact, EventTriggerTypes.MessageReceived, EventTriggerTypes.OptIn, EventTriggerTypes.OptOut,
        EventTriggerTypes.FlowCompleted, EventTriggerTypes.FlowFailed,
    ];
}

/// <summary>A problem with one field of a trigger (a 422 naming it).</summary>
public sealed record TriggerProblem(string Field, string Message);

/// <summary>
/// The checks a trigger's definition passes before it is stored, pure (the flow's bot and published version are the
/// grain's to check): every field of its type is valid, and no field of another type is set.
/// </summary>
public static class TriggerRules
{
    public const int MaxKeywords = 100;
    public const int MaxKeywordLength = 200;
    public const int MaxPriority = 1_000_000;
    public const int MaxConditions = 20;
    public const int MaxTriggersPerBot = 2_000;

    public static IReadOnlyList<TriggerProblem> Check(TriggerDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var problems = new List<TriggerProblem>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > 200)
        {
            problems.Add(new("name", "name is required, at most 200 characters."));
        }

        if (d.Description is { Length: > 1000 })
        {
            problems.Add(new("description", "description is at most 1000 characters."));
        }

        if (d.Priority is < -MaxPriority or > MaxPriority)
        {
            problems.Add(new("priority", $"priority must be from {-MaxPriority} to {MaxPriority}."));
        }

        switch (d.TriggerType)
        {
            case TriggerTypes.Keyword:
                CheckKeyword(d, problems);
                Absent(problems, ("event_type", d.EventType), ("event_conditions", d.EventConditionsJson), ("schedule_type", d.ScheduleType),
                    ("schedule_time", d.ScheduleTime), ("schedule_timezone", d.ScheduleTimezone), ("cron_expression", d.CronExpression), ("audience", d.AudienceJson));
                break;
            case TriggerTypes.Event:
                if (d.EventType is null || !TriggerTypes.EventTypes.Contains(d.EventType))
                {
                    problems.Add(new("event_type", $"event_type must be one of {string.Join(", ", TriggerTypes.EventTypes)}."));
                }

                if (CheckConditions("event_conditions", d.EventConditionsJson, problems) && d.EventType is { } eventType
                    && TriggerTypes.EventTypes.Contains(eventType) && d.EventConditionsJson is { } conditions)
                {
                    using var document = JsonDocument.Parse(conditions);
                    problems.AddRange(EventConditions.Problems(eventType, document.RootElement)
                        .Select(p => new TriggerProblem($"event_conditions.{p.Key}", p.Message)));
                }

                Absent(problems, ("keywords", d.Keywords is null ? null : "x"), ("match_type", d.MatchType), ("schedule_type", d.ScheduleType),
                    ("schedule_time", d.ScheduleTime), ("cron_expression", d.CronExpression), ("audience", d.AudienceJson));
                break;
            case TriggerTypes.Schedule:
                if (Schedule(d, out var scheduleProblems) is null)
                {
                    problems.AddRange(scheduleProblems.Select(p => new TriggerProblem(p.Field, p.Message)));
                }

                CheckAudience(d.AudienceJson, problems);
                Absent(problems, ("keywords", d.Keywords is null ? null : "x"), ("match_type", d.MatchType), ("event_type", d.EventType),
                    ("event_conditions", d.EventConditionsJson));
                break;
            default:
                problems.Add(new("trigger_type", $"trigger_type must be one of {string.Join(", ", TriggerTypes.All)}."));
                break;
        }

        return problems;
    }

    public static TriggerSchedule? Schedule(TriggerDefinition d, out IReadOnlyList<ScheduleProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(d);
        return TriggerSchedule.TryCreate(
            new ScheduleSpec(d.ScheduleType, d.ScheduleTime, d.ScheduleTimezone, d.ScheduleDayOfWeek, d.ScheduleDayOfMonth, d.CronExpression), out problems);
    }

    /// <summary>The compiled rule of a valid keyword trigger.</summary>
    public static KeywordRule Rule(long triggerId, TriggerDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return KeywordRule.Create(triggerId, d.FlowId, d.Priority, d.MatchType ?? MatchTypes.Exact, d.CaseSensitive, d.InterruptsWaiting, d.Keywords ?? []);
    }

    private static void CheckKeyword(TriggerDefinition d, List<TriggerProblem> problems)
    {
        var matchType = d.MatchType ?? MatchTypes.Exact;
        if (!MatchTypes.All.Contains(matchType))
        {
            problems.Add(new("match_type", $"match_type must be one of {string.Join(", ", MatchTypes.All)}."));
        }

        if (d.Keywords is not { Count: > 0 } keywords || keywords.Count > MaxKeywords)
        {
            problems.Add(new("keywords", $"keywords must hold 1 to {MaxKeywords} keywords."));
            return;
        }

        for (var i = 0; i < keywords.Count; i++)
        {
            var keyword = keywords[i];
            if (keyword is null || KeywordText.Normalize(keyword).Length == 0 || keyword.Length > MaxKeywordLength)
            {
                problems.Add(new($"keywords[{i}]", $"A keyword must hold text (not only spaces), at most {MaxKeywordLength} characters."));
            }
            else if (matchType == MatchTypes.Regex && KeywordRule.RegexProblem(keyword, d.CaseSensitive) is { } regexProblem)
            {
                problems.Add(new($"keywords[{i}]", $"Not a pattern the non-backtracking engine runs (no back-references or look-arounds): {regexProblem}"));
            }
        }
    }

    /// <summary>event_conditions: a JSON object of at most <see cref="MaxConditions"/> fields, each a string, number,
    /// boolean or null (compared with the event's fields and the contact's attributes). False when it is not.</summary>
    private static bool CheckConditions(string field, string? json, List<TriggerProblem> problems)
    {
        if (json is null)
        {
            return true;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.EnumerateObject().Count() > MaxConditions
            || document.RootElement.EnumerateObject().Any(p => p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || p.Name.Length is 0 or > 64))
        {
            problems.Add(new(field, $"{field} must be an object of at most {MaxConditions} fields whose values are strings, numbers, booleans or null."));
            return false;
        }

        return true;
    }

    /// <summary>audience: absent (every opted-in contact of the bot) or <c>{"attributes": {key: value, …}}</c>.</summary>
    private static void CheckAudience(string? json, List<TriggerProblem> problems)
    {
        if (json is null)
        {
            return;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Any(p => p.Name != "attributes")
            || (root.TryGetProperty("attributes", out var attributes) && attributes.ValueKind != JsonValueKind.Object))
        {
            problems.Add(new("audience", "audience must be {\"attributes\": {key: value, …}} or absent (every opted-in contact)."));
            return;
        }

        if (root.TryGetProperty("attributes", out var filters))
        {
            CheckConditions("audience.attributes", filters.GetRawText(), problems);
        }
    }

    private static void Absent(List<TriggerProblem> problems, params (string Field, string? Value)[] fields)
    {
        foreach (var (field, value) in fields)
        {
            if (value is not null)
            {
                problems.Add(new(field, $"{field} does not apply to this trigger_type."));
            }
        }
    }
}
