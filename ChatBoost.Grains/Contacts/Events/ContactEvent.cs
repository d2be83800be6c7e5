using System.Text.Json;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>The domain events of the event outlet (<c>contact_events.type</c>).</summary>
public static class ContactEventTypes
{
    public const string ContactCreated = "contact_created";
    public const string MessageReceived = "message_received";
    public const string MessageSent = "message_sent";
    public const string MessageStatus = "message_status";
    public const string OptedIn = "opted_in";
    public const string OptedOut = "opted_out";
    public const string FlowStarted = "flow_started";
    public const string NodeEntered = "node_entered";
    public const string FlowCompleted = "flow_completed";
    public const string FlowFailed = "flow_failed";

    public static readonly IReadOnlyList<string> All =
    [
        ContactCreated, MessageReceived, MessageSent, MessageStatus, OptedIn, OptedOut, FlowStarted, NodeEntered, FlowCompleted, FlowFailed,
    ];
}

/// <summary>
/// An event to write in the same transaction as the change it describes (see <see cref="ContactEventSql"/>).
/// <paramref name="DataJson"/> is a small JSON object of type-specific fields (null: <c>{}</c>).
/// </summary>
public sealed record NewContactEvent(
    string Type,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    DateTimeOffset OccurredAt,
    long? ContactId = null,
    long? MessageId = null,
    long? ExecutionId = null,
    long? FlowId = null,
    long? NodeId = null,
    string? DataJson = null);

/// <summary>A committed event as subscribers receive it: <see cref="Id"/> is unique and the idempotency key.</summary>
public sealed record ContactEvent(
    long Id,
    string Type,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    long? ContactId,
    long? MessageId,
    long? ExecutionId,
    long? FlowId,
    long? NodeId,
    DateTimeOffset OccurredAt,
    JsonElement Data);
