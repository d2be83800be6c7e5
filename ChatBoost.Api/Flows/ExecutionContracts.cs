using System.Reflection;
using System.Text;
using System.Text.Json;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Flows;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace ChatBoost.Api.Flows;

/// <summary>
/// <c>POST /flows/execute</c>: starts the latest published version of <c>flow_id</c> (a flow of <c>bot_id</c>) for the
/// contact <c>contact_phone</c>. <c>initial_state</c> is an optional JSON object of state variables: at most 100 keys
/// matching <c>^[A-Za-z_][A-Za-z0-9_]{0,63}$</c>, at most 32 KB as JSON.
/// </summary>
public sealed class ExecuteFlowRequest : IRequestBody
{
    public const int MaxStateBytes = 32 * 1024;
    public const int MaxStateKeys = 100;
    public const int MaxStateKeyLength = 64;

    public long? FlowId { get; init; }

    public string? ContactPhone { get; init; }

    public long? BotId { get; init; }

    public JsonElement InitialState { get; init; }

    public void Validate(ValidationErrors errors)
    {
        ContactValidation.PositiveId("flow_id", FlowId, errors);
        ContactValidation.Phone("contact_phone", ContactPhone, errors);
        ContactValidation.PositiveId("bot_id", BotId, errors);
        if (InitialState.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        if (InitialState.ValueKind != JsonValueKind.Object)
        {
            errors.Add("initial_state", "Must be a JSON object of state variables.");
            return;
        }

        var count = 0;
        foreach (var property in InitialState.EnumerateObject())
        {
            count++;
            if (!IsStateKey(property.Name))
            {
                errors.Add("initial_state", $"Key '{Shorten(property.Name)}' is not a valid state name (a letter or '_', then letters, digits or '_'; at most {MaxStateKeyLength}).");
            }
        }

        if (count > MaxStateKeys)
        {
            errors.Add("initial_state", $"At most {MaxStateKeys} keys.");
        }

        var json = JsonSerializer.Serialize(InitialState);
        if (Encoding.UTF8.GetByteCount(json) > MaxStateBytes)
        {
            errors.Add("initial_state", $"Must be at most {MaxStateBytes} bytes as JSON.");
        }
        else if (!ContactValidation.IsStorable(json, mayBeJson: true))
        {
            errors.Add("initial_state", "Must not contain U+0000 or unpaired surrogate characters.");
        }
    }

    public string ContactDigits() => ContactValidation.Digits(ContactPhone!);

    /// <summary>The compact JSON text of <c>initial_state</c>, or null when absent.</summary>
    public string? InitialStateJson() =>
        InitialState.ValueKind == JsonValueKind.Object ? JsonSerializer.Serialize(InitialState) : null;

    public static bool IsStateKey(string key) =>
        key.Length is > 0 and <= MaxStateKeyLength
        && (char.IsAsciiLetter(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Shorten(string key) => key.Length <= 70 ? key : key[..70] + "…";
}

/// <summary><c>POST /flows/executions/{execution_id}/cancel</c>: an optional body; <c>reason</c> at most 500 characters.</summary>
public sealed class CancelExecutionRequest : IRequestBody
{
    public const int MaxReasonLength = 500;

    public string? Reason { get; init; }

    public void Validate(ValidationErrors errors)
    {
        errors.MaxLength("reason", Reason, MaxReasonLength);
        ContactValidation.Storable("reason", Reason, errors);
    }
}

/// <summary>
/// <c>POST /flows/executions/{execution_id}/input</c>: the contact's reply to an execution waiting for one. <c>execution_id</c>
/// is optional and must equal the path's; <c>message_type</c> is text (default), button or list (the button or row id).
/// </summary>
public sealed class ExecutionInputRequest : IRequestBody
{
    public const int MaxMessageLength = 4096;

    public long? ExecutionId { get; init; }

    public string? Message { get; init; }

    public string? MessageType { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (ExecutionId is <= 0)
        {
            errors.Add("execution_id", "Must be a positive id.");
        }

        if (Message is null || Message.Length == 0)
        {
            errors.Add("message", "This field is required.");
        }

        errors.MaxLength("message", Message, MaxMessageLength);
        ContactValidation.Storable("message", Message, errors);
        if (MessageType is not null and not ("text" or "button" or "list"))
        {
            errors.Add("message_type", "Must be one of text, button, list.");
        }
    }
}

/// <summary>
/// A flow execution. <c>status</c> is one of running, waiting (a timed wait), waiting_for_reply, completed, failed,
/// cancelled; <c>state</c> is the state variables object; <c>wake_at</c> is when a wait ends (or a reply wait times out).
/// </summary>
public sealed record ExecutionResponse(
    long Id,
    long OrganizationId,
    long BotId,
    long FlowId,
    int FlowVersion,
    long ContactId,
    string ContactPhone,
    string Status,
    long? CurrentNodeId,
    JsonElement State,
    DateTimeOffset? WakeAt,
    string? Error,
    int Steps,
    string Trigger,
    long? StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EndedAt)
{
    public static ExecutionResponse From(ExecutionView e) => new(
        e.Id, e.OrganizationId, e.BotId, e.FlowId, e.FlowVersion, e.ContactId, e.ContactPhone, e.Status, e.CurrentNodeId,
        ExecutionJson.ObjectOrEmpty(e.StateJson), e.WakeAt, e.Error, e.Steps, e.Trigger, e.StartedBy, e.StartedAt, e.UpdatedAt, e.EndedAt);
}

/// <summary>One step log line; <c>seq</c> counts from 1 in order.</summary>
public sealed record ExecutionLogResponse(int Seq, long? NodeId, string? NodeType, string Event, string Level, string Detail, DateTimeOffset At)
{
    public static ExecutionLogResponse From(ExecutionLogView l) => new(l.Seq, l.NodeId, l.NodeType, l.Event, l.Level, l.Detail, l.At);
}

/// <summary>A page of log lines; pass <c>next_after</c> as <c>after</c> for the next page (null: no more lines yet).</summary>
public sealed record ExecutionLogPageResponse(ExecutionLogResponse[] Items, int? NextAfter);

/// <summary>
/// Execution counts over the scope: <c>by_status</c> has every status (0 when none); <c>completion_rate</c> is completed
/// over ended executions (null when none ended); <c>average_duration_seconds</c> is over ended executions.
/// </summary>
public sealed record ExecutionStatisticsResponse(
    long Total,
    IReadOnlyDictionary<string, long> ByStatus,
    double? CompletionRate,
    double? AverageDurationSeconds,
    FlowExecutionStatisticsResponse[] ByFlow)
{
    public static ExecutionStatisticsResponse From(ExecutionStatistics s) => new(
        s.Total, ExecutionJson.AllStatuses(s.ByStatus), ExecutionJson.Finite(s.CompletionRate), ExecutionJson.Finite(s.AverageDurationSeconds),
        [.. s.ByFlow.Select(FlowExecutionStatisticsResponse.From)]);
}

public sealed record FlowExecutionStatisticsResponse(
    long FlowId,
    string? FlowName,
    long Total,
    IReadOnlyDictionary<string, long> ByStatus,
    double? AverageDurationSeconds)
{
    public static FlowExecutionStatisticsResponse From(FlowExecutionStatistics f) =>
        new(f.FlowId, f.FlowName, f.Total, ExecutionJson.AllStatuses(f.ByStatus), ExecutionJson.Finite(f.AverageDurationSeconds));
}

internal static class ExecutionJson
{
    /// <summary>The state object; an empty object if the stored text is not one (never a 500 for a read).</summary>
    public static JsonElement ObjectOrEmpty(string? json)
    {
        if (!string.IsNullOrEmpty(json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
            }
        }

        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }

    /// <summary>Every status in the published order, then any other the grain reported.</summary>
    public static IReadOnlyDictionary<string, long> AllStatuses(IReadOnlyDictionary<string, long>? counts)
    {
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var status in ExecutionStatuses.All)
        {
            all[status] = counts is not null && counts.TryGetValue(status, out var n) ? n : 0;
        }

        foreach (var (status, n) in counts ?? new Dictionary<string, long>())
        {
            all.TryAdd(status, n);
        }

        return all;
    }

    /// <summary>JSON numbers cannot be NaN or infinite.</summary>
    public static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}

/// <summary>
/// A JSON body that may be left out: an empty body binds to a null <see cref="Value"/>; anything else is read as strictly
/// as <see cref="Body{T}"/> (problems answered by <see cref="BodyProblemFilter"/>).
/// </summary>
public sealed class OptionalBody<T> : IBoundBody, IEndpointParameterMetadataProvider
    where T : class, IRequestBody
{
    private OptionalBody(T? value, IResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    public IResult? Problem { get; }

    /// <summary>The validated body, or null when none was sent.</summary>
    public T? Value { get; }

    public static async ValueTask<OptionalBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (IsEmpty(context))
        {
            return new OptionalBody<T>(null, null);
        }

        var (value, problem) = await JsonBodyReader.ReadAsync<T>(context);
        return new OptionalBody<T>(value, problem);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T), isOptional: true));
        builder.Metadata.Add(JsonBodyMetadata.Instance);
    }

    private static bool IsEmpty(HttpContext context) =>
        context.Request.ContentLength == 0
        || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false });
}
