using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>Maps the API's <see cref="SendCommand"/> to the WhatsApp client's <see cref="OutboundMessage"/>.</summary>
internal static class OutboundMapping
{
    public static OutboundMessage ToOutbound(string to, SendCommand c) => c.Type switch
    {
        "text" => new OutboundText(to, c.Text ?? "", c.PreviewUrl),
        "template" => new OutboundTemplate(to, c.TemplateName ?? "", c.LanguageCode ?? "", c.Components?.Select(Component).ToList()),
        "image" => Media(to, MediaKind.Image, c),
        "video" => Media(to, MediaKind.Video, c),
        "audio" => Media(to, MediaKind.Audio, c),
        "document" => Media(to, MediaKind.Document, c),
        "sticker" => Media(to, MediaKind.Sticker, c),
        "button" => new OutboundButtons(to, c.Text ?? "", [.. (c.Buttons ?? []).Select(b => new ReplyButton(b.Id, b.Title))], c.Header, c.Footer),
        "list" => new OutboundList(to, c.Text ?? "", c.ListButton ?? "",
            [.. (c.Sections ?? []).Select(s => new ListSection(s.Title, [.. s.Rows.Select(r => new ListRow(r.Id, r.Title, r.Description))]))],
            c.Header, c.Footer),
        _ => throw new ArgumentException($"Unknown message type '{c.Type}'.", nameof(c)),
    };

    /// <summary>The stored <c>message_type</c>: the Graph API's type (<c>interactive</c> for buttons and lists).</summary>
    public static string MessageType(OutboundMessage m) => m switch
    {
        OutboundText => "text",
        OutboundTemplate => "template",
        OutboundMedia media => media.Kind.ToString().ToLowerInvariant(),
        _ => "interactive",
    };

    /// <summary>The stored <c>text</c>: what a person reads first.</summary>
    public static string? Text(OutboundMessage m) => m switch
    {
        OutboundText t => t.Body,
        OutboundTemplate t => t.Name,
        OutboundMedia media => media.Caption,
        OutboundButtons b => b.Body,
        OutboundList l => l.Body,
        _ => null,
    };

    private static OutboundMedia Media(string to, MediaKind kind, SendCommand c) => new(to, kind, c.MediaId, c.Link, c.Caption, c.Filename);

    private static TemplateComponent Component(SendTemplateComponent c) =>
        new(c.Type, [.. c.Parameters.Select(p => new TemplateParameter(p.Type, p.Value, p.ParameterName, p.MediaId, p.Link, p.Filename))], c.SubType, c.Index);
}
