using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatBoost.Grains.Flows.Engine;

public enum ExecutionStatus
{
    /// <summary>A step is being performed: an external effect (<see cref="ExecutionSnapshot.PendingEffect"/>) is in flight.</summary>
    Running,

    /// <summary>A <c>wait</c> for a duration: continues at <see cref="ExecutionSnapshot.WakeAt"/>.</summary>
    Waiting,

    /// <summary>A <c>wait</c> until the contact replies; the timeout fires at <see cref="ExecutionSnapshot.WakeAt"/>.</summary>
    WaitingForReply,

    Completed,
    Failed,
    Cancelled,
}

/// <summary>The external effect an execution in <see cref="ExecutionStatus.Running"/> waits for.</summary>
public enum PendingEffectKind
{
    Send,
    Webhook,
}

/// <summary>
/// The persisted state of one flow execution. The interpreter never mutates it: each event yields a new snapshot.
/// </summary>
/// <param name="Status">Where the execution is.</param>
/// <param name="CurrentNodeId">The node in progress, waited on, or that failed; null when completed.</param>
/// <param name="Variables">State variables by name (the part after <c>state.</c>).</param>
/// <param name="StartedAt">When the execution started.</param>
/// <param name="RunStartedAt">Start of the current run (since the last start, wake-up, reply or resume); the run timeout measures this.</param>
/// <param name="StepsThisRun">Nodes entered since the last wait; the step budget measures this.</param>
/// <param name="TotalSteps">Nodes entered since the start.</param>
/// <param name="WakeAt">Waiting: when the duration ends; WaitingForReply: when the timeout fires.</param>
/// <param name="PendingEffect">Running only: the send or webhook call in flight at <paramref name="CurrentNodeId"/>.</param>
/// <param name="Error">Failed: the reason.</param>
/// <param name="EndedAt">When the execution completed, failed or was cancelled.</param>
public sealed record ExecutionSnapshot(
    ExecutionStatus Status,
    long? CurrentNodeId,
    IReadOnlyDictionary<string, JsonElement> Variables,
    DateTimeOffset StartedAt,
    DateTimeOffset RunStartedAt,
    int StepsThisRun,
    int TotalSteps,
    DateTimeOffset? WakeAt,
    PendingEffectKind? PendingEffect,
    string? Error,
    DateTimeOffset? EndedAt)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool IsActive => Status is ExecutionStatus.Running or ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply;

    /// <summary>The variables as one JSON object text, for persistence.</summary>
    public static string SerializeVariables(IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in variables)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The UTF-8 size of <see cref="SerializeVariables"/>'s text.</summary>
    public static int VariablesSize(IReadOnlyDictionary<string, JsonElement> variables) =>
        System.Text.Encoding.UTF8.GetByteCount(SerializeVariables(variables));

    /// <summary>Reads <see cref="SerializeVariables"/>'s text back; null or blank text is no variables.</summary>
    public static IReadOnlyDictionary<string, JsonElement> DeserializeVariables(string? json)
    {
        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return variables;
        }

        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("Execution variables must be a JSON object.");
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            variables[property.Name] = property.Value.Clone();
        }

        return variables;
    }
}
