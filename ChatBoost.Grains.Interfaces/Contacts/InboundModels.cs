namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// One inbound WhatsApp message for <see cref="IContactGrain.RecordInboundAsync"/>; the bot and the sender are the
/// grain's key. The fields are what the <c>messages</c> table stores (text already normalised by the parser).
/// </summary>
/// <param name="PayloadJson">Meta's whole message object as JSON.</param>
/// <param name="Timestamp">Meta's timestamp (the customer's send time), if any.</param>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.InboundMessageInput")]
public sealed record InboundMessageInput(
    [property: Id(0)] long OrganizationId,
    [property: Id(1)] string WaMessageId,
    [property: Id(2)] string? ProfileName,
    [property: Id(3)] string MessageType,
    [property: Id(4)] string? Text,
    [property: Id(5)] string? PayloadJson,
    [property: Id(6)] DateTimeOffset? Timestamp);

/// <summary>What the contact grain did with an inbound message. Both values mean "durably recorded".</summary>
public enum InboundOutcome
{
    /// <summary>First delivery: recorded now.</summary>
    Recorded,

    /// <summary>Already recorded (Meta retried or delivered it twice); nothing was done again.</summary>
    Duplicate,
}
