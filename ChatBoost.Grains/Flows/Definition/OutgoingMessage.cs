using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>A message of a <c>send_message</c> node. Strings may hold placeholders unless noted.</summary>
public abstract record OutgoingMessage
{
    /// <summary>The <c>message_type</c> (<see cref="MessageTypes"/>).</summary>
    public abstract string MessageType { get; }
}

/// <summary><c>text</c>: a plain text message.</summary>
public sealed record TextMessage(string Text, bool PreviewUrl) : OutgoingMessage
{
    public override string MessageType => MessageTypes.Text;
}

/// <summary>
/// <c>template</c>: an approved WhatsApp template. <see cref="Components"/> is Meta's <c>components</c> array, passed
/// through after its string values are rendered; null when the template has no parameters.
/// </summary>
public sealed record TemplateMessage(string TemplateName, string LanguageCode, JsonElement? Components) : OutgoingMessage
{
    public override string MessageType => MessageTypes.Template;
}

/// <summary>A media asset: an uploaded media <see cref="Id"/> or a hosted <see cref="Link"/> (exactly one is set).</summary>
public sealed record MediaSource(string? Id, string? Link);

/// <summary><c>media</c>: image, video, audio, document or sticker (<see cref="MediaTypes"/>).</summary>
public sealed record MediaMessage(string MediaType, MediaSource Source, string? Caption, string? Filename) : OutgoingMessage
{
    public override string MessageType => MessageTypes.Media;
}

/// <summary>An interactive message header: text (<see cref="Text"/> set) or media (<see cref="Media"/> set).</summary>
public sealed record InteractiveHeader(string Type, string? Text, MediaSource? Media);

/// <summary>A reply button. <see cref="Id"/> is literal (no placeholders): it is what the contact's reply carries.</summary>
public sealed record ReplyButton(string Id, string Title);

/// <summary><c>interactive</c> with <c>type: button</c>: up to three reply buttons.</summary>
public sealed record ButtonsMessage(InteractiveHeader? Header, string Body, string? Footer, IReadOnlyList<ReplyButton> Buttons)
    : OutgoingMessage
{
    public override string MessageType => MessageTypes.Interactive;
}

/// <summary>A list row. <see cref="Id"/> is literal (no placeholders): it is what the contact's reply carries.</summary>
public sealed record ListRow(string Id, string Title, string? Description);

public sealed record ListSection(string? Title, IReadOnlyList<ListRow> Rows);

/// <summary><c>interactive</c> with <c>type: list</c>: a menu opened by <see cref="ButtonText"/>.</summary>
public sealed record ListMessage(string? HeaderText, string Body, string? Footer, string ButtonText, IReadOnlyList<ListSection> Sections)
    : OutgoingMessage
{
    public override string MessageType => MessageTypes.Interactive;
}
