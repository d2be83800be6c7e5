using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Builds the JSON body of <c>POST /{version}/{phone_number_id}/messages</c> for an <see cref="OutboundMessage"/>,
/// field for field as the Cloud API expects (snake_case, <c>messaging_product</c>, <c>recipient_type</c>, <c>to</c>).
/// <see cref="Validate"/> applies Meta's documented limits so a bad message fails here, not at Meta.
/// </summary>
public static class GraphMessageBodies
{
    public const int MaxTextLength = 4096;
    public const int MaxCaptionLength = 1024;
    public const int MaxButtonsBodyLength = 1024;
    public const int MaxListBodyLength = 4096;
    public const int MaxHeaderOrFooterLength = 60;
    public const int MaxButtons = 3;
    public const int MaxButtonIdLength = 256;
    public const int MaxButtonTitleLength = 20;
    public const int MaxListButtonTextLength = 20;
    public const int MaxSections = 10;
    public const int MaxRows = 10;
    public const int MaxRowIdLength = 200;
    public const int MaxRowTitleLength = 24;
    public const int MaxSectionTitleLength = 24;
    public const int MaxRowDescriptionLength = 72;

    // Non-ASCII text (accents, emoji) stays readable UTF-8 rather than \uXXXX escapes; the body is never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string TypeName(MediaKind kind) => kind switch
    {
        MediaKind.Image => "image",
        MediaKind.Video => "video",
        MediaKind.Audio => "audio",
        MediaKind.Document => "document",
        MediaKind.Sticker => "sticker",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The UTF-8 JSON body. Throws <see cref="ArgumentException"/> when <see cref="Validate"/> finds problems.</summary>
    /// <summary>Meta's limit on <c>biz_opaque_callback_data</c> (characters).</summary>
    public const int MaxCallbackDataLength = 512;

    public static byte[] BuildUtf8(OutboundMessage message)
    {
        var problems = Validate(message);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(message));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("messaging_product", "whatsapp");
            writer.WriteString("recipient_type", "individual");
            // A user whose phone number Meta withholds is addressed by their business-scoped user id.
            writer.WriteString(ContactKeys.IsBusinessScopedUserId(message.To) ? "recipient" : "to", message.To);
            if (message.ReplyToWaMessageId is { } replyTo)
            {
                writer.WriteStartObject("context");
                writer.WriteString("message_id", replyTo);
                writer.WriteEndObject();
            }

            WriteContent(writer, message);
            if (message.CallbackData is { } callbackData)
            {
                // Echoed by Meta in every status webhook of this message: how an in-doubt send learns its wamid.
                writer.WriteString("biz_opaque_callback_data", callbackData);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static string Build(OutboundMessage message) => System.Text.Encoding.UTF8.GetString(BuildUtf8(message));

    /// <summary>Every limit the message breaks, empty when it can be sent.</summary>
    public static IReadOnlyList<string> Validate(OutboundMessage message)
    {
        var problems = new List<string>();
        Require(problems, message.To, "to");
        MaxLength(problems, message.CallbackData, MaxCallbackDataLength, "biz_opaque_callback_data");
        switch (message)
        {
            case OutboundText text:
                Require(problems, text.Body, "text.body");
                MaxLength(problems, text.Body, MaxTextLength, "text.body");
                break;
            case OutboundTemplate template:
                Require(problems, template.Name, "template.name");
                Require(problems, template.LanguageCode, "template.language.code");
                foreach (var parameter in template.Components?.SelectMany(c => c.Parameters) ?? [])
                {
                    var valid = parameter.Type is "text" or "payload"
                        ? parameter.Value is not null
                        : string.IsNullOrEmpty(parameter.MediaId) != string.IsNullOrEmpty(parameter.MediaLink);
                    if (!valid)
                    {
                        problems.Add($"Template parameter of type '{parameter.Type}' lacks its value (text or payload) or exactly one of id and link.");
                    }
                }

                break;
            case OutboundMedia media:
                if (string.IsNullOrEmpty(media.MediaId) == string.IsNullOrEmpty(media.Link))
                {
                    problems.Add("A media message needs exactly one of id and link.");
                }

                if (media.Caption is not null && media.Kind is MediaKind.Audio or MediaKind.Sticker)
                {
                    problems.Add($"A {TypeName(media.Kind)} message cannot have a caption.");
                }

                if (media.Filename is not null && media.Kind != MediaKind.Document)
                {
                    problems.Add("Only a document can have a filename.");
                }

                MaxLength(problems, media.Caption, MaxCaptionLength, "caption");
                break;
            case OutboundButtons buttons:
                ValidateInteractive(problems, buttons.Body, MaxButtonsBodyLength, buttons.HeaderText, buttons.Footer);
                if (buttons.Buttons.Count is 0 or > MaxButtons)
                {
                    problems.Add($"A button message needs 1 to {MaxButtons} buttons.");
                }

                foreach (var button in buttons.Buttons)
                {
                    Require(problems, button.Id, "button id");
                    Require(problems, button.Title, "button title");
                    MaxLength(problems, button.Id, MaxButtonIdLength, "button id");
                    MaxLength(problems, button.Title, MaxButtonTitleLength, "button title");
                }

                if (buttons.Buttons.Select(b => b.Id).Distinct(StringComparer.Ordinal).Count() != buttons.Buttons.Count)
                {
                    problems.Add("Button ids must be unique.");
                }

                break;
            case OutboundList list:
                ValidateInteractive(problems, list.Body, MaxListBodyLength, list.HeaderText, list.Footer);
                Require(problems, list.ButtonText, "list button");
                MaxLength(problems, list.ButtonText, MaxListButtonTextLength, "list button");
                var rows = list.Sections.SelectMany(s => s.Rows).ToList();
                if (list.Sections.Count is 0 or > MaxSections)
                {
                    problems.Add($"A list needs 1 to {MaxSections} sections.");
                }

                if (rows.Count is 0 or > MaxRows)
                {
                    problems.Add($"A list needs 1 to {MaxRows} rows in all.");
                }

                foreach (var section in list.Sections)
                {
                    if (list.Sections.Count > 1)
                    {
                        Require(problems, section.Title, "section title");
                    }

                    MaxLength(problems, section.Title, MaxSectionTitleLength, "section title");
                }

                foreach (var row in rows)
                {
                    Require(problems, row.Id, "row id");
                    Require(problems, row.Title, "row title");
                    MaxLength(problems, row.Id, MaxRowIdLength, "row id");
                    MaxLength(problems, row.Title, MaxRowTitleLength, "row title");
                    MaxLength(problems, row.Description, MaxRowDescriptionLength, "row description");
                }

                if (rows.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() != rows.Count)
                {
                    problems.Add("Row ids must be unique.");
                }

                break;
            default:
                problems.Add($"Unsupported message {message.GetType().Name}.");
                break;
        }

        return problems;
    }

    private static void ValidateInteractive(List<string> problems, string body, int maxBody, string? header, string? footer)
    {
        Require(problems, body, "body");
        MaxLength(problems, body, maxBody, "body");
        MaxLength(problems, header, MaxHeaderOrFooterLength, "header");
        MaxLength(problems, footer, MaxHeaderOrFooterLength, "footer");
    }

    private static void Require(List<string> problems, string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{field} is required.");
        }
    }

    private static void MaxLength(List<string> problems, string? value, int max, string field)
    {
        if (value is not null && value.Length > max)
        {
            problems.Add($"{field} is longer than {max} characters.");
        }
    }

    private static void WriteContent(Utf8JsonWriter writer, OutboundMessage message)
    {
        switch (message)
        {
            case OutboundText text:
                writer.WriteString("type", "text");
                writer.WriteStartObject("text");
                writer.WriteBoolean("preview_url", text.PreviewUrl);
                writer.WriteString("body", text.Body);
                writer.WriteEndObject();
                break;
            case OutboundTemplate template:
                WriteTemplate(writer, template);
                break;
            case OutboundMedia media:
                var type = TypeName(media.Kind);
                writer.WriteString("type", type);
                writer.WriteStartObject(type);
                WriteOptional(writer, "id", media.MediaId);
                WriteOptional(writer, "link", media.Link);
                WriteOptional(writer, "caption", media.Caption);
                WriteOptional(writer, "filename", media.Filename);
                writer.WriteEndObject();
                break;
            case OutboundButtons buttons:
                StartInteractive(writer, "button", buttons.HeaderText, buttons.Body, buttons.Footer);
                writer.WriteStartObject("action");
                writer.WriteStartArray("buttons");
                foreach (var button in buttons.Buttons)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "reply");
                    writer.WriteStartObject("reply");
                    writer.WriteString("id", button.Id);
                    writer.WriteString("title", button.Title);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case OutboundList list:
                StartInteractive(writer, "list", list.HeaderText, list.Body, list.Footer);
                writer.WriteStartObject("action");
                writer.WriteString("button", list.ButtonText);
                writer.WriteStartArray("sections");
                foreach (var section in list.Sections)
                {
                    writer.WriteStartObject();
                    WriteOptional(writer, "title", section.Title);
                    writer.WriteStartArray("rows");
                    foreach (var row in section.Rows)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("id", row.Id);
                        writer.WriteString("title", row.Title);
                        WriteOptional(writer, "description", row.Description);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteTemplate(Utf8JsonWriter writer, OutboundTemplate template)
    {
        writer.WriteString("type", "template");
        writer.WriteStartObject("template");
        writer.WriteString("name", template.Name);
        writer.WriteStartObject("language");
        writer.WriteString("code", template.LanguageCode);
        writer.WriteEndObject();
        if (template.Components is { Count: > 0 } components)
        {
            writer.WriteStartArray("components");
            foreach (var component in components)
            {
                writer.WriteStartObject();
                writer.WriteString("type", component.Type);
                WriteOptional(writer, "sub_type", component.SubType);
                if (component.Index is { } index)
                {
                    // Meta's examples send the button index as a string.
                    writer.WriteString("index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                writer.WriteStartArray("parameters");
                foreach (var parameter in component.Parameters)
                {
                    WriteParameter(writer, parameter);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteParameter(Utf8JsonWriter writer, TemplateParameter parameter)
    {
        writer.WriteStartObject();
        writer.WriteString("type", parameter.Type);
        WriteOptional(writer, "parameter_name", parameter.ParameterName);
        switch (parameter.Type)
        {
            case "text":
                writer.WriteString("text", parameter.Value);
                break;
            case "payload":
                writer.WriteString("payload", parameter.Value);
                break;
            default:
                writer.WriteStartObject(parameter.Type);
                WriteOptional(writer, "id", parameter.MediaId);
                WriteOptional(writer, "link", parameter.MediaLink);
                WriteOptional(writer, "filename", parameter.Filename);
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    private static void StartInteractive(Utf8JsonWriter writer, string type, string? header, string body, string? footer)
    {
        writer.WriteString("type", "interactive");
        writer.WriteStartObject("interactive");
        writer.WriteString("type", type);
        if (header is not null)
        {
            writer.WriteStartObject("header");
            writer.WriteString("type", "text");
            writer.WriteString("text", header);
            writer.WriteEndObject();
        }

        writer.WriteStartObject("body");
        writer.WriteString("text", body);
        writer.WriteEndObject();
        if (footer is not null)
        {
            writer.WriteStartObject("footer");
            writer.WriteString("text", footer);
            writer.WriteEndObject();
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
