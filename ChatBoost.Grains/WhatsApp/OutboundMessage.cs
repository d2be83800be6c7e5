namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// A message to send through the Cloud API. <see cref="To"/> is the customer's phone number or wa_id;
/// <see cref="ReplyToWaMessageId"/> quotes an earlier message (Meta's <c>context.message_id</c>).
/// Only templates may be sent outside the 24-hour customer-service window.
/// </summary>
public abstract record OutboundMessage(string To)
{
    public string? ReplyToWaMessageId { get; init; }

    /// <summary>
    /// Meta's <c>biz_opaque_callback_data</c> (at most 512 characters), echoed in the message's status webhooks; the
    /// outbound sender puts the client message id here.
    /// </summary>
    public string? CallbackData { get; init; }

    public virtual bool IsTemplate => false;
}

public sealed record OutboundText(string To, string Body, bool PreviewUrl = false) : OutboundMessage(To);

public sealed record OutboundTemplate(string To, string Name, string LanguageCode, IReadOnlyList<TemplateComponent>? Components = null)
    : OutboundMessage(To)
{
    public override bool IsTemplate => true;
}

/// <summary>
/// A template component: <c>header</c>, <c>body</c> or <c>button</c>. Buttons also need <see cref="SubType"/>
/// (<c>quick_reply</c>, <c>url</c>, …) and the button's <see cref="Index"/>.
/// </summary>
public sealed record TemplateComponent(string Type, IReadOnlyList<TemplateParameter> Parameters, string? SubType = null, int? Index = null)
{
    public static TemplateComponent Header(params TemplateParameter[] parameters) => new("header", parameters);

    public static TemplateComponent Body(params TemplateParameter[] parameters) => new("body", parameters);

    public static TemplateComponent QuickReplyButton(int index, string payload) =>
        new("button", [TemplateParameter.Payload(payload)], "quick_reply", index);

    public static TemplateComponent UrlButton(int index, string urlSuffix) =>
        new("button", [TemplateParameter.Text(urlSuffix)], "url", index);
}

/// <summary>
/// A template parameter: <c>text</c> (optionally named), <c>payload</c> (quick-reply buttons), or media
/// (<c>image</c>, <c>video</c>, <c>document</c>) given by <see cref="MediaId"/> or <see cref="MediaLink"/>.
/// </summary>
public sealed record TemplateParameter(
    string Type,
    string? Value = null,
    string? ParameterName = null,
    string? MediaId = null,
    string? MediaLink = null,
    string? Filename = null)
{
    public static TemplateParameter Text(string text, string? parameterName = null) => new("text", text, parameterName);

    public static TemplateParameter Payload(string payload) => new("payload", payload);

    public static TemplateParameter Media(MediaKind kind, string? id = null, string? link = null, string? filename = null) =>
        new(GraphMessageBodies.TypeName(kind), MediaId: id, MediaLink: link, Filename: filename);
}

public enum MediaKind
{
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// <summary>A media message by uploaded media <see cref="MediaId"/> or public <see cref="Link"/> (exactly one).</summary>
public sealed record OutboundMedia(string To, MediaKind Kind, string? MediaId = null, string? Link = null, string? Caption = null, string? Filename = null)
    : OutboundMessage(To);

/// <summary>Reply buttons (1 to 3). A tap comes back as an <c>interactive.button_reply</c> with the button's id.</summary>
public sealed record OutboundButtons(string To, string Body, IReadOnlyList<ReplyButton> Buttons, string? HeaderText = null, string? Footer = null)
    : OutboundMessage(To);

public sealed record ReplyButton(string Id, string Title);

/// <summary>A list menu. A choice comes back as an <c>interactive.list_reply</c> with the row's id.</summary>
public sealed record OutboundList(string To, string Body, string ButtonText, IReadOnlyList<ListSection> Sections, string? HeaderText = null, string? Footer = null)
    : OutboundMessage(To);

public sealed record ListSection(string? Title, IReadOnlyList<ListRow> Rows);

public sealed record ListRow(string Id, string Title, string? Description = null);
