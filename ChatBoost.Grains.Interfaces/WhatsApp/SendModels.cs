namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// A message to send to one contact, as the API validated it (the contact is the grain's key). One flat record with
/// a <see cref="Type"/> discriminator: <c>text</c>, <c>template</c>, a media type (<c>image</c>, <c>video</c>,
/// <c>audio</c>, <c>document</c>, <c>sticker</c>), or an interactive <c>button</c> / <c>list</c>. The contact grain
/// maps it to the WhatsApp client's message and applies Meta's limits (<c>GraphMessageBodies.Validate</c>).
/// <see cref="NotAfter"/> is the caller's deadline: a send still waiting (behind this contact's earlier sends, or
/// for a rate slot) when it passes is not attempted, so a caller that gave up with 503 can retry without the
/// message going out twice. <see cref="IdempotencyKey"/> (the API's <c>Idempotency-Key</c> header): the same key for the
/// same bot and contact is the same send — one attempt at most, and every call gets its answer. <see cref="MessageId"/>
/// is the send's client message id, chosen by the caller (<see cref="OutboundIds.ForApi"/> with a key, else a new one), so
/// a caller whose call timed out can still name the message it answers "in doubt" for.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendCommand")]
public sealed record SendCommand(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Text = null,
    [property: Id(2)] bool PreviewUrl = false,
    [property: Id(3)] string? TemplateName = null,
    [property: Id(4)] string? LanguageCode = null,
    [property: Id(5)] IReadOnlyList<SendTemplateComponent>? Components = null,
    [property: Id(6)] string? MediaId = null,
    [property: Id(7)] string? Link = null,
    [property: Id(8)] string? Caption = null,
    [property: Id(9)] string? Filename = null,
    [property: Id(10)] string? Header = null,
    [property: Id(11)] string? Footer = null,
    [property: Id(12)] IReadOnlyList<SendButton>? Buttons = null,
    [property: Id(13)] string? ListButton = null,
    [property: Id(14)] IReadOnlyList<SendSection>? Sections = null,
    [property: Id(15)] DateTimeOffset? NotAfter = null,
    [property: Id(16)] string? IdempotencyKey = null,
    [property: Id(17)] Guid? MessageId = null)
{
    public static readonly IReadOnlySet<string> MediaTypes = new HashSet<string>(StringComparer.Ordinal) { "image", "video", "audio", "document", "sticker" };

    /// <summary>Only templates may be sent outside the 24-hour customer-service window.</summary>
    public bool IsTemplate => Type == "template";
}

/// <summary>A template component: <c>header</c>, <c>body</c> or <c>button</c> (with <see cref="SubType"/> and <see cref="Index"/>).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendTemplateComponent")]
public sealed record SendTemplateComponent(
    [property: Id(0)] string Type,
    [property: Id(1)] IReadOnlyList<SendTemplateParameter> Parameters,
    [property: Id(2)] string? SubType = null,
    [property: Id(3)] int? Index = null);

/// <summary>A template parameter: <c>text</c> / <c>payload</c> with <see cref="Value"/>, or media by id or link.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendTemplateParameter")]
public sealed record SendTemplateParameter(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Value = null,
    [property: Id(2)] string? ParameterName = null,
    [property: Id(3)] string? MediaId = null,
    [property: Id(4)] string? Link = null,
    [property: Id(5)] string? Filename = null);

[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendButton")]
public sealed record SendButton([property: Id(0)] string Id, [property: Id(1)] string Title);

[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendSection")]
public sealed record SendSection([property: Id(0)] string? Title, [property: Id(1)] IReadOnlyList<SendRow> Rows);

[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendRow")]
public sealed record SendRow([property: Id(0)] string Id, [property: Id(1)] string Title, [property: Id(2)] string? Description = null);

/// <summary>How a send ended; the API maps each to its HTTP status.</summary>
[GenerateSerializer, Alias("chatboost.whatsapp.SendStatus")]
public enum SendStatus
{
    /// <summary>Meta accepted it (200): <see cref="SendOutcome.WaMessageId"/> is set. Not yet delivery.</summary>
    Sent = 0,

    /// <summary>The bot does not exist or was deleted (404).</summary>
    BotNotFound = 1,

    /// <summary>The bot cannot send now: not WhatsApp-enabled, no credentials, or its credentials are marked invalid (409).</summary>
    BotCannotSend = 2,

    /// <summary>The message breaks Meta's limits (422); nothing was recorded or sent.</summary>
    Invalid = 3,

    /// <summary>A free-form message outside the 24-hour window (422); Meta was not called, nothing was recorded.</summary>
    OutsideWindow = 4,

    /// <summary>Meta refused it (502) with <see cref="SendOutcome.MetaCode"/>; the outbox row is <c>failed</c>.</summary>
    MetaRejected = 5,

    /// <summary>Meta stayed unavailable or throttled through every retry (503); the outbox row is <c>failed</c>.</summary>
    MetaUnavailable = 6,

    /// <summary>
    /// The contact opted out (422): outside the 24-hour window nothing may be sent to them; Meta was not called, nothing
    /// was recorded. (Within the window a person may still answer the customer's own message.)
    /// </summary>
    OptedOut = 7,

    /// <summary>
    /// Meta may have it (202): the attempt's outcome is unknown (a timeout, a lost answer); the outbox row is
    /// <c>in_doubt</c> and it is never sent again. Its status follows by webhook when Meta reports it.
    /// </summary>
    InDoubt = 8,

    /// <summary>The number had no free send slot before the deadline (503 with Retry-After); nothing was attempted.</summary>
    Throttled = 9,
}

/// <summary>
/// The result of <see cref="Contacts.IContactGrain.SendAsync"/>. <see cref="MessageId"/> is our id (the outbox's
/// client message id) whenever an outbox row was written, also for failures.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendOutcome")]
public sealed record SendOutcome(
    [property: Id(0)] SendStatus Status,
    [property: Id(1)] Guid? MessageId,
    [property: Id(2)] string? WaMessageId,
    [property: Id(3)] string? Detail,
    [property: Id(4)] int? MetaCode = null,
    [property: Id(5)] string? MetaMessage = null,
    [property: Id(6)] int? RetryAfterSeconds = null)
{
    public static SendOutcome Refused(SendStatus status, string detail) => new(status, null, null, detail);
}
