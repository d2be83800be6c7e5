using System.Text.Json;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Api.WhatsApp;

/// <summary>Fields every send body has: <c>to</c>, the customer's WhatsApp id (phone number in international format, digits).</summary>
public abstract class SendRequestBase : IRequestBody
{
    public const int MaxToLength = 20;

    public string? To { get; init; }

    /// <summary>The contact grain's key: <c>to</c> without a leading <c>+</c>.</summary>
    public string ContactWaId() => To!.Trim().TrimStart('+');

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("to", To))
        {
            var digits = To!.Trim().TrimStart('+');
            if (digits.Length is < 5 or > MaxToLength || !digits.All(char.IsAsciiDigit))
            {
                errors.Add("to", $"Must be the customer's phone number in international format (5 to {MaxToLength} digits, optional leading +).");
            }
        }

        ValidateMessage(errors);
    }

    public abstract SendCommand ToCommand();

    protected abstract void ValidateMessage(ValidationErrors errors);
}

/// <summary><c>POST /whatsapp/send/template</c>: allowed at any time (also outside the 24-hour window).</summary>
public sealed class SendTemplateRequest : SendRequestBase
{
    public string? TemplateName { get; init; }

    public string? LanguageCode { get; init; }

    /// <summary>Meta's template components: <c>[{"type":"body","parameters":[{"type":"text","text":"Ada"}]}]</c>.</summary>
    public List<TemplateComponentBody>? Components { get; init; }

    protected override void ValidateMessage(ValidationErrors errors)
    {
        errors.Required("template_name", TemplateName);
        errors.MaxLength("template_name", TemplateName, 512);
        errors.Required("language_code", LanguageCode);
        errors.MaxLength("language_code", LanguageCode, 16);
        for (var i = 0; i < (Components?.Count ?? 0); i++)
        {
            var component = Components![i];
            if (component is null || component.Type is not ("header" or "body" or "button"))
            {
                errors.Add($"components[{i}].type", "Must be header, body or button.");
                continue;
            }

            for (var j = 0; j < (component.Parameters?.Count ?? 0); j++)
            {
                var p = component.Parameters![j];
                if (p is null || p.Type is not ("text" or "payload" or "image" or "video" or "document"))
                {
                    errors.Add($"components[{i}].parameters[{j}].type", "Must be text, payload, image, video or document.");
                }
            }
        }
    }

    public override SendCommand ToCommand() => new(
        "template",
        TemplateName: TemplateName!.Trim(),
        LanguageCode: LanguageCode!.Trim(),
        Components: Components?.Select(c => new SendTemplateComponent(
            c.Type!,
            [.. (c.Parameters ?? []).Select(p => p.ToParameter())],
            c.SubType,
            c.Index)).ToList());
}

public sealed class TemplateComponentBody
{
    public string? Type { get; init; }

    public string? SubType { get; init; }

    public int? Index { get; init; }

    public List<TemplateParameterBody>? Parameters { get; init; }
}

public sealed class TemplateParameterBody
{
    public string? Type { get; init; }

    public string? Text { get; init; }

    public string? Payload { get; init; }

    public string? ParameterName { get; init; }

    public MediaObjectBody? Image { get; init; }

    public MediaObjectBody? Video { get; init; }

    public MediaObjectBody? Document { get; init; }

    public SendTemplateParameter ToParameter()
    {
        var media = Type switch { "image" => Image, "video" => Video, "document" => Document, _ => null };
        return new SendTemplateParameter(Type!, Type == "payload" ? Payload : Text, ParameterName, media?.Id, media?.Link, media?.Filename);
    }
}

public sealed class MediaObjectBody
{
    public string? Id { get; init; }

    public string? Link { get; init; }

    public string? Filename { get; init; }
}

/// <summary><c>POST /whatsapp/send/text</c>: free-form, only within 24 hours of the customer's last message.</summary>
public sealed class SendTextRequest : SendRequestBase
{
    public string? Text { get; init; }

    public bool? PreviewUrl { get; init; }

    protected override void ValidateMessage(ValidationErrors errors)
    {
        errors.Required("text", Text);
        errors.MaxLength("text", Text, 4096);
    }

    public override SendCommand ToCommand() => new("text", Text: Text, PreviewUrl: PreviewUrl ?? false);
}

/// <summary><c>POST /whatsapp/send/media</c>: an uploaded <c>media_id</c> or a public <c>link</c> (exactly one).</summary>
public sealed class SendMediaRequest : SendRequestBase
{
    public string? MediaType { get; init; }

    public string? MediaId { get; init; }

    public string? Link { get; init; }

    public string? Caption { get; init; }

    public string? Filename { get; init; }

    protected override void ValidateMessage(ValidationErrors errors)
    {
        if (MediaType is null || !SendCommand.MediaTypes.Contains(MediaType))
        {
            errors.Add("media_type", "Must be image, video, audio, document or sticker.");
        }

        if (string.IsNullOrWhiteSpace(MediaId) == string.IsNullOrWhiteSpace(Link))
        {
            errors.Add("media_id", "Send exactly one of media_id and link.");
        }

        if (Link is not null && !(Uri.TryCreate(Link, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            errors.Add("link", "Must be an absolute http(s) URL.");
        }

        errors.MaxLength("caption", Caption, 1024);
        errors.MaxLength("filename", Filename, 240);
    }

    public override SendCommand ToCommand() => new(
        MediaType!, MediaId: Blank(MediaId), Link: Blank(Link), Caption: Caption, Filename: Filename);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary><c>POST /whatsapp/send/interactive</c>: reply <c>buttons</c> (1 to 3) or a <c>list</c> of <c>sections</c>.</summary>
public sealed class SendInteractiveRequest : SendRequestBase
{
    public string? Type { get; init; }

    public string? Body { get; init; }

    public string? Header { get; init; }

    public string? Footer { get; init; }

    public List<ButtonBody>? Buttons { get; init; }

    /// <summary>The label of the button that opens a list.</summary>
    public string? ButtonText { get; init; }

    public List<SectionBody>? Sections { get; init; }

    protected override void ValidateMessage(ValidationErrors errors)
    {
        errors.Required("body", Body);
        switch (Type)
        {
            case "button":
                if (Buttons is not { Count: > 0 } || Buttons.Any(b => b is null || string.IsNullOrWhiteSpace(b.Id) || string.IsNullOrWhiteSpace(b.Title)))
                {
                    errors.Add("buttons", "A button message needs 1 to 3 buttons, each with an id and a title.");
                }

                if (Sections is not null || ButtonText is not null)
                {
                    errors.Add("sections", "sections and button_text belong to a list message.");
                }

                break;
            case "list":
                errors.Required("button_text", ButtonText);
                if (Sections is not { Count: > 0 } || Sections.Any(s => s?.Rows is not { Count: > 0 } || s.Rows.Any(r => r is null || string.IsNullOrWhiteSpace(r.Id) || string.IsNullOrWhiteSpace(r.Title))))
                {
                    errors.Add("sections", "A list needs sections, each with rows that have an id and a title.");
                }

                if (Buttons is not null)
                {
                    errors.Add("buttons", "buttons belong to a button message.");
                }

                break;
            default:
                errors.Add("type", "Must be button or list.");
                break;
        }
    }

    public override SendCommand ToCommand() => new(
        Type!,
        Text: Body,
        Header: Header,
        Footer: Footer,
        Buttons: Buttons?.Select(b => new SendButton(b.Id!, b.Title!)).ToList(),
        ListButton: ButtonText,
        Sections: Sections?.Select(s => new SendSection(s.Title, [.. s.Rows!.Select(r => new SendRow(r.Id!, r.Title!, r.Description))])).ToList());
}

public sealed class ButtonBody
{
    public string? Id { get; init; }

    public string? Title { get; init; }
}

public sealed class SectionBody
{
    public string? Title { get; init; }

    public List<RowBody>? Rows { get; init; }
}

public sealed class RowBody
{
    public string? Id { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }
}

/// <summary>A message Meta accepted: <c>message_id</c> is ours (as in the history), <c>wa_message_id</c> Meta's wamid.</summary>
public sealed record SendResponse(Guid MessageId, string WaMessageId, string Status);

/// <summary>
/// A send whose outcome is unknown (202, <c>status: "in_doubt"</c>): Meta may have it; it is never sent again, and its
/// status follows in the history when Meta reports it. <c>wa_message_id</c> is null until then.
/// </summary>
public sealed record SendInDoubtResponse(Guid MessageId, string? WaMessageId, string Status, string Detail);

/// <summary>A page of history, newest first; pass <c>next_cursor</c> as <c>cursor</c> for the next (null on the last).</summary>
public sealed record MessagePageResponse(IReadOnlyList<MessageResponse> Items, string? NextCursor);

public sealed record MessageErrorResponse(int? Code, string? Title, string? Message);

/// <summary>One message, inbound or outbound. <c>payload</c> is the message object as received, or the Graph API body sent.</summary>
public sealed record MessageResponse(
    long Id,
    Guid? MessageId,
    string? WaMessageId,
    string Contact,
    string Direction,
    string Type,
    string? Text,
    JsonElement? Payload,
    string Status,
    MessageErrorResponse? Error,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? Timestamp,
    DateTimeOffset CreatedAt)
{
    public static MessageResponse From(MessageHistoryItem m) => new(
        m.Id, m.MessageId, m.WaMessageId, m.ContactWaId, m.Direction, m.MessageType, m.Text, Parse(m.PayloadJson), m.Status,
        m.ErrorCode is null && m.ErrorTitle is null && m.ErrorMessage is null ? null : new MessageErrorResponse(m.ErrorCode, m.ErrorTitle, m.ErrorMessage),
        m.SentAt, m.DeliveredAt, m.ReadAt, m.FailedAt, m.WaTimestamp, m.CreatedAt);

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
