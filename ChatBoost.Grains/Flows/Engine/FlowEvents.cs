using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>Something that happens to an execution; the interpreter answers with a <see cref="StepOutcome"/>.</summary>
public abstract record FlowEvent;

/// <summary>Starts an execution at the entry node with these state variables.</summary>
public sealed record StartEvent(IReadOnlyDictionary<string, JsonElement> InitialVariables) : FlowEvent;

/// <summary>The contact's reply: the text, or the id of the chosen reply button or list row.</summary>
public sealed record ReplyEvent(string Text) : FlowEvent;

/// <summary>A timer or reminder tick; harmless when nothing is due or the execution is not waiting.</summary>
public sealed record WakeUpEvent : FlowEvent;

/// <summary>
/// A manual resume: Waiting continues at <c>next</c> now; WaitingForReply follows <c>timeout_path</c> now; Failed
/// retries the failed node with a fresh run (step budget and run timeout reset, error cleared).
/// </summary>
public sealed record ResumeEvent : FlowEvent;

/// <summary>The result of the pending <see cref="SendMessageEffect"/>.</summary>
public sealed record SendCompletedEvent(bool Success, string? Error) : FlowEvent;

/// <summary>
/// The result of the pending <see cref="CallWebhookEffect"/>: on success the response <paramref name="Body"/> (parsed
/// JSON, or the text as a JSON string; null when empty); on failure the status code (if any answer came) and a reason.
/// </summary>
public sealed record WebhookCompletedEvent(bool Success, int? StatusCode, JsonElement? Body, string? Error) : FlowEvent;

public sealed record CancelEvent(string Reason) : FlowEvent;

/// <summary>
/// After a crash or re-activation that found the execution Running: re-enters the current node, re-rendering and
/// re-issuing its effect (so the one effect in flight may happen twice).
/// </summary>
public sealed record RecoverEvent : FlowEvent;

/// <summary>An effect for the caller to perform, in order. At most one external effect, always last.</summary>
public abstract record FlowEffect;

/// <summary>Store a contact attribute (already performed in the interpreter's view of the contact).</summary>
public sealed record SetAttributeEffect(string Key, AttributeValue Value) : FlowEffect;

/// <summary>Send <paramref name="Message"/> (addressed to the contact's phone); answer with <see cref="SendCompletedEvent"/>.</summary>
public sealed record SendMessageEffect(long NodeId, OutboundMessage Message) : FlowEffect;

/// <summary>Call a webhook; answer with <see cref="WebhookCompletedEvent"/>. <paramref name="JsonBody"/> is JSON text or null.</summary>
public sealed record CallWebhookEffect(
    long NodeId,
    string Method,
    string Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? JsonBody,
    TimeSpan Timeout) : FlowEffect;

/// <summary>
/// One line of the execution log. <paramref name="Level"/> is <see cref="StepLogLevels"/>; <paramref name="Event"/> is
/// <see cref="StepLogEvents"/>. Details never hold attribute values or webhook header values.
/// </summary>
public sealed record StepLog(long? NodeId, string? NodeType, string Event, string Detail, DateTimeOffset At, string Level);

/// <summary>
/// The new state, the effects to perform in order, the log lines of one interpreter call, and the nodes it entered in
/// order (a node re-entered after a restart is not entered again).
/// </summary>
public sealed record StepOutcome(ExecutionSnapshot State, IReadOnlyList<FlowEffect> Effects, IReadOnlyList<StepLog> Logs)
{
    public IReadOnlyList<long> EnteredNodes { get; init; } = [];
}

public static class StepLogLevels
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";
}

public static class StepLogEvents
{
    public const string Started = "started";
    public const string MessageQueued = "message_queued";
    public const string MessageSent = "message_sent";
    public const string MessageInDoubt = "message_in_doubt";
    public const string ReplyNotDelivered = "reply_not_delivered";
    public const string Branch = "branch";
    public const string Waiting = "waiting";
    public const string WaitEnded = "wait_ended";
    public const string ReplyReceived = "reply_received";
    public const string Timeout = "timeout";
    public const string WebhookCalled = "webhook_called";
    public const string WebhookSucceeded = "webhook_succeeded";
    public const string WebhookFailed = "webhook_failed";
    public const string AttributeSet = "attribute_set";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Resumed = "resumed";
    public const string Recovered = "recovered";
    public const string PlaceholderMissing = "placeholder_missing";
    public const string Ignored = "ignored";
}
