using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.WhatsApp;
using WaListRow = ChatBoost.Grains.WhatsApp.ListRow;
using WaListSection = ChatBoost.Grains.WhatsApp.ListSection;
using WaReplyButton = ChatBoost.Grains.WhatsApp.ReplyButton;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Turns a <c>send_message</c> node's <see cref="OutgoingMessage"/> into the WhatsApp client's
/// <see cref="OutboundMessage"/>: renders every text a person reads and media ids/links, then checks the rendered
/// text against Meta's limits again (docs/flows.md: "the engine checks the rendered text again before sending").
/// Problems throw <see cref="FlowStepException"/>.
/// </summary>
internal static class MessageBuilder
{
    public const string MediaHeaderNotSupported = "media headers on reply buttons are not supported yet";

    public static OutboundMessage Build(OutgoingMessage message, string to, NodeRenderer renderer)
    {
        OutboundMessage built = message switch
        {
            TextMessage text => new OutboundText(
                to, Required(renderer.Text(text.Text), "the text", FlowLimits.MaxTextBodyLength), text.PreviewUrl),
            TemplateMessage template => new OutboundTemplate(
                to, template.TemplateName, template.LanguageCode, BuildComponents(template.Components, renderer)),
            MediaMessage media => BuildMedia(media, to, renderer),
            ButtonsMessage buttons => BuildButtons(buttons, to, renderer),
            ListMessage list => BuildList(list, to, renderer),
            _ => throw new FlowStepException($"message type '{message.MessageType}' is not supported."),
        };

        // The WhatsApp client's own checks, so a message never fails later for a reason known now.
        var problems = GraphMessageBodies.Validate(built);
        if (problems.Count > 0)
        {
            throw new FlowStepException(string.Join(" ", problems));
        }

        return built;
    }

    /// <summary>A short description for the log (never the rendered text).</summary>
    public static string Describe(OutgoingMessage message) => message switch
    {
        TextMessage => "text message",
        TemplateMessage template => $"template '{template.TemplateName}' ({template.LanguageCode})",
        MediaMessage media => $"{media.MediaType} message ({(media.Source.Id is not null ? "uploaded media" : "link")})",
        ButtonsMessage buttons => $"reply buttons message ({buttons.Buttons.Count} button{(buttons.Buttons.Count == 1 ? "" : "s")})",
        ListMessage list => $"list message ({list.Sections.Sum(s => s.Rows.Count)} rows)",
        _ => $"{message.MessageType} message",
    };

    private static OutboundMedia BuildMedia(MediaMessage media, string to, NodeRenderer renderer)
    {
        var kind = Kind(media.MediaType);
        var (id, link) = Source(media.Source, renderer, "the media");
        var caption = MediaTypes.AllowsCaption(media.MediaType) && media.Caption is not null
            ? Optional(renderer.Text(media.Caption), "the caption", FlowLimits.MaxCaptionLength)
            : null;
        var filename = media.MediaType == MediaTypes.Document && media.Filename is not null
            ? Optional(renderer.Text(media.Filename), "the filename", int.MaxValue)
            : null;
        return new OutboundMedia(to, kind, id, link, caption, filename);
    }

    private static OutboundButtons BuildButtons(ButtonsMessage message, string to, NodeRenderer renderer)
    {
        string? headerText = null;
        if (message.Header is { } header)
        {
            if (header.Media is not null || header.Type != InteractiveHeaderTypes.Text)
            {
                throw new FlowStepException(MediaHeaderNotSupported + $" (the header is {header.Type}).");
            }

            headerText = Optional(renderer.Text(header.Text ?? ""), "the header", FlowLimits.MaxHeaderTextLength);
        }

        var body = Required(renderer.Text(message.Body), "the body", FlowLimits.MaxButtonsBodyLength);
        var footer = message.Footer is null ? null : Optional(renderer.Text(message.Footer), "the footer", FlowLimits.MaxFooterLength);
        var titles = new HashSet<string>(StringComparer.Ordinal);
        var buttons = new List<WaReplyButton>();
        foreach (var button in message.Buttons)
        {
            var title = Required(renderer.Text(button.Title), $"the title of button '{button.Id}'", FlowLimits.MaxButtonTitleLength);
            if (!titles.Add(title))
            {
                throw new FlowStepException($"two buttons have the title '{title}' after rendering; WhatsApp requires unique titles.");
            }

            buttons.Add(new WaReplyButton(button.Id, title));
        }

        return new OutboundButtons(to, body, buttons, headerText, footer);
    }

    private static OutboundList BuildList(ListMessage message, string to, NodeRenderer renderer)
    {
        var headerText = message.HeaderText is null
            ? null
            : Optional(renderer.Text(message.HeaderText), "the header", FlowLimits.MaxHeaderTextLength);
        var body = Required(renderer.Text(message.Body), "the body", FlowLimits.MaxListBodyLength);
        var footer = message.Footer is null ? null : Optional(renderer.Text(message.Footer), "the footer", FlowLimits.MaxFooterLength);
        var buttonText = Required(renderer.Text(message.ButtonText), "the list button text", FlowLimits.MaxListButtonTextLength);
        var sections = new List<WaListSection>();
        for (var i = 0; i < message.Sections.Count; i++)
        {
            var section = message.Sections[i];
            var what = $"the title of section {i + 1}";
            var title = section.Title is null
                ? null
                : message.Sections.Count > 1
                    ? Required(renderer.Text(section.Title), what, FlowLimits.MaxSectionTitleLength)
                    : Optional(renderer.Text(section.Title), what, FlowLimits.MaxSectionTitleLength);
            var rows = section.Rows.Select(row => new WaListRow(
                row.Id,
                Required(renderer.Text(row.Title), $"the title of row '{row.Id}'", FlowLimits.MaxRowTitleLength),
                row.Description is null
                    ? null
                    : Optional(renderer.Text(row.Description), $"the description of row '{row.Id}'", FlowLimits.MaxRowDescriptionLength)))
                .ToList();
            sections.Add(new WaListSection(title, rows));
        }

        return new OutboundList(to, body, buttonText, sections, headerText, footer);
    }

    /// <summary>
    /// Meta's <c>components</c> array mapped to <see cref="TemplateComponent"/>s: <c>type</c>, <c>sub_type</c>,
    /// <c>index</c> and <c>parameters</c> of type text, payload, image, video or document. Strings are rendered.
    /// </summary>
    private static List<TemplateComponent>? BuildComponents(JsonElement? components, NodeRenderer renderer)
    {
        if (components is not { } array || array.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FlowStepException("the template components must be an array.");
        }

        var result = new List<TemplateComponent>();
        var i = 0;
        foreach (var component in array.EnumerateArray())
        {
            var path = $"components[{i++}]";
            if (component.ValueKind != JsonValueKind.Object)
            {
                throw new FlowStepException($"template {path} must be an object.");
            }

            var type = RequiredString(component, "type", path);
            var subType = OptionalString(component, "sub_type", path);
            var index = OptionalIndex(component, path);
            var parameters = new List<TemplateParameter>();
            if (component.TryGetProperty("parameters", out var items) && items.ValueKind != JsonValueKind.Null)
            {
                if (items.ValueKind != JsonValueKind.Array)
                {
                    throw new FlowStepException($"template {path}.parameters must be an array.");
                }

                var j = 0;
                foreach (var parameter in items.EnumerateArray())
                {
                    parameters.Add(BuildParameter(parameter, $"{path}.parameters[{j++}]", renderer));
                }
            }

            result.Add(new TemplateComponent(type, parameters, subType, index));
        }

        return result;
    }

    private static TemplateParameter BuildParameter(JsonElement parameter, string path, NodeRenderer renderer)
    {
        if (parameter.ValueKind != JsonValueKind.Object)
        {
            throw new FlowStepException($"template {path} must be an object.");
        }

        var type = RequiredString(parameter, "type", path);
        var name = OptionalString(parameter, "parameter_name", path);
        switch (type)
        {
            case "text":
                return new TemplateParameter("text", renderer.Text(RequiredString(parameter, "text", path)), name);
            case "payload":
                return new TemplateParameter("payload", renderer.Text(RequiredString(parameter, "payload", path)), name);
            case MediaTypes.Image or MediaTypes.Video or MediaTypes.Document:
                if (!parameter.TryGetProperty(type, out var media) || media.ValueKind != JsonValueKind.Object)
                {
                    throw new FlowStepException($"template {path}.{type} must be an object with an id or a link.");
                }

                var id = OptionalString(media, "id", $"{path}.{type}");
                var link = OptionalString(media, "link", $"{path}.{type}");
                var (renderedId, renderedLink) = Source(new MediaSource(id, link), renderer, $"template {path}.{type}");
                var filename = OptionalString(media, "filename", $"{path}.{type}") is { } f
                    ? Optional(renderer.Text(f), $"template {path}.{type}.filename", int.MaxValue)
                    : null;
                return new TemplateParameter(type, null, name, renderedId, renderedLink, filename);
            default:
                throw new FlowStepException(
                    $"template {path}: parameter type '{type}' is not supported (use text, payload, image, video or document).");
        }
    }

    /// <summary>The rendered id or link: exactly one, non-empty; a link stays an absolute http(s) URL.</summary>
    private static (string? Id, string? Link) Source(MediaSource source, NodeRenderer renderer, string what)
    {
        if ((source.Id is null) == (source.Link is null))
        {
            throw new FlowStepException($"{what} needs exactly one of id and link.");
        }

        if (source.Id is not null)
        {
            var id = renderer.Text(source.Id).Trim();
            return id.Length == 0 ? throw new FlowStepException($"{what} id is empty after rendering.") : (id, null);
        }

        var link = renderer.Url(source.Link!);
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FlowStepException($"{what} link is not an absolute http(s) URL after rendering.");
        }

        return (null, link);
    }

    private static MediaKind Kind(string mediaType) => mediaType switch
    {
        MediaTypes.Image => MediaKind.Image,
        MediaTypes.Video => MediaKind.Video,
        MediaTypes.Audio => MediaKind.Audio,
        MediaTypes.Document => MediaKind.Document,
        MediaTypes.Sticker => MediaKind.Sticker,
        _ => throw new FlowStepException($"media type '{mediaType}' is not supported."),
    };

    /// <summary>A rendered text that must not be blank and must fit <paramref name="max"/> characters.</summary>
    private static string Required(string text, string what, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FlowStepException($"{what} is empty after rendering.");
        }

        return CheckLength(text, what, max);
    }

    /// <summary>A rendered optional text: blank becomes absent; otherwise it must fit <paramref name="max"/> characters.</summary>
    private static string? Optional(string text, string what, int max) =>
        string.IsNullOrWhiteSpace(text) ? null : CheckLength(text, what, max);

    private static string CheckLength(string text, string what, int max)
    {
        if (text.Length > max)
        {
            var length = FlowLimits.TextLength(text);
            if (length > max)
            {
                throw new FlowStepException($"{what} is {length} characters after rendering; WhatsApp allows at most {max}.");
            }
        }

        return text;
    }

    private static string RequiredString(JsonElement element, string property, string path) =>
        OptionalString(element, property, path) ?? throw new FlowStepException($"template {path}.{property} is required.");

    private static string? OptionalString(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FlowStepException($"template {path}.{property} must be a string.");
    }

    private static int? OptionalIndex(JsonElement component, string path)
    {
        if (!component.TryGetProperty("index", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0)
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FlowStepException($"template {path}.index must be a non-negative integer.");
    }
}
