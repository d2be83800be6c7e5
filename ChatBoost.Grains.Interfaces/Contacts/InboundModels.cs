namespace ChatBoost.Grains.Interfaces.Contacts;

/// <summary>
/// One inbound WhatsApp message for <see cref="IContactGrain.RecordInboundAsync"/>; the bot and the sender are the
/// grain's key. The fields are what the <c>messages</c> table stores (text already normalised by the parser).
/// </summary>
/// <param name="PayloadJson">Meta's whole message object as JSON.</param>
/// <param name="Timestamp">Meta's timestamp (the customer's send time), if any.</param>
/// <param name="ReplyId">The id of the reply button or list row the customer chose, if any.</param>
/// <param name="FromUserId">The sender's business-scoped user id (BSUID), when Meta sent one.</param>
/// <param name="Username">The sender's WhatsApp username, when they have one.</param>
[GenerateSerializer, Immutable, Alias("chatboost.contacts.InboundMessageInput")]
public sealed record InboundMessageInput(
    [property: Id(0)] long OrganizationId,
    [property: Id(1)] string WaMessageId,
    [property: Id(2)] string? ProfileName,
    [property: Id(3)] string MessageType,
    [property: Id(4)] string? Text,
    [property: Id(5)] string? PayloadJson,
    [property: Id(6)] DateTimeOffset? Timestamp,
    [property: Id(7)] string? ReplyId = null,
    [property: Id(8)] string? FromUserId = null,
    [property: Id(9)] string? Username = null)
{
    /// <summary>
    /// What a flow's wait-for-reply stores: the id of the chosen reply button or list row, else the text (a text message's
    /// body, a media caption), else the empty string.
    /// </summary>
    public string ReplyValue => ReplyId ?? Text ?? "";
}

/// <summary>What the contact grain did with an inbound message. Both values mean "durably recorded".</summary>
public enum InboundOutcome
{
    /// <summary>First delivery: recorded now.</summary>
    Recorded,

    /// <summary>Already recorded (Meta retried or delivered it twice); nothing was done again.</summary>
    Duplicate,
}
