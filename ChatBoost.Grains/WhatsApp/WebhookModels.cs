namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// The outcome of parsing one webhook POST. Either <see cref="Problem"/> is set (answer 400, Meta should not
/// retry garbage) or <see cref="Batches"/> holds one batch per <c>messages</c> change.
/// </summary>
public sealed record WebhookParseResult
{
    public string? Problem { get; private init; }
    public IReadOnlyList<WebhookBatch> Batches { get; private init; } = [];

    /// <summary>Changes whose <c>field</c> is not <c>messages</c> (account updates, template status, …).</summary>
    public int IgnoredChanges { get; private init; }

    /// <summary>Items that cannot be used: a change without <c>phone_number_id</c>, a message without id or sender, a status without id.</summary>
    public int SkippedItems { get; private init; }

    public bool IsValid => Problem is null;

    public static WebhookParseResult Invalid(string problem) => new() { Problem = problem };

    public static WebhookParseResult Valid(IReadOnlyList<WebhookBatch> batches, int ignoredChanges, int skippedItems) =>
        new() { Batches = batches, IgnoredChanges = ignoredChanges, SkippedItems = skippedItems };
}

/// <summary>The messages and statuses of one change, all for one business phone number.</summary>
public sealed record WebhookBatch(
    string PhoneNumberId,
    string? DisplayPhoneNumber,
    string? BusinessAccountId,
    IReadOnlyList<InboundMessage> Messages,
    IReadOnlyList<StatusUpdate> Statuses);

/// <summary>
/// A message a customer sent. <see cref="Text"/> and <see cref="ReplyId"/> are normalised across types so a flow
/// can match on them; <see cref="RawJson"/> keeps the whole Meta object so no type (even an unknown one) loses data.
/// <see cref="From"/> is the sender's key: their phone number's digits, or — for a user whose number Meta withholds —
/// their business-scoped user id (<see cref="FromUserId"/>, "BSUID", e.g. <c>US.13491208655302741918</c>).
/// </summary>
public sealed record InboundMessage(
    string WaMessageId,
    string From,
    string? ProfileName,
    DateTimeOffset? Timestamp,
    string Type,
    string? Text,
    string? ReplyId,
    InboundMedia? Media,
    InboundLocation? Location,
    InboundReaction? Reaction,
    string? ContextMessageId,
    string RawJson,
    string? FromUserId = null,
    string? Username = null);

/// <summary>image, video, audio, document or sticker. Download it through the Graph API by <see cref="Id"/>.</summary>
public sealed record InboundMedia(string? Id, string? MimeType, string? Sha256, string? Caption, string? Filename);

public sealed record InboundLocation(double? Latitude, double? Longitude, string? Name, string? Address);

/// <summary>A reaction to one of our messages; an empty <see cref="Emoji"/> means the reaction was removed.</summary>
public sealed record InboundReaction(string? MessageId, string? Emoji);

/// <summary>
/// A delivery report for a message we sent. <see cref="CallbackData"/> is the send's <c>biz_opaque_callback_data</c>,
/// which Meta echoes: our client message id, how an in-doubt send learns its wamid.
/// </summary>
public sealed record StatusUpdate(
    string WaMessageId,
    MessageDeliveryStatus Status,
    string RawStatus,
    DateTimeOffset? Timestamp,
    string? RecipientId,
    string? ConversationId,
    string? PricingCategory,
    IReadOnlyList<StatusError> Errors,
    string? CallbackData = null);

/// <summary>One entry of <c>statuses[].errors[]</c>, present on <c>failed</c>.</summary>
public sealed record StatusError(int? Code, string? Title, string? Message, string? Details);
