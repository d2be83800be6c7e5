using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary><c>send_message</c>: <c>message_type</c>, <c>content</c> (shape depends on the type) and <c>next</c>.</summary>
internal static partial class SendMessageParser
{
    public static SendMessageConfig? Parse(ConfigReader config)
    {
        var messageType = config.Enum("message_type", MessageTypes.All, required: true);
        var content = config.Object("content", required: true);
        var next = config.NodeRef("next");
        if (messageType is null || content is null)
        {
            return null;
        }

        OutgoingMessage? message = messageType switch
        {
            MessageTypes.Text => ParseText(content),
            MessageTypes.Template => ParseTemplate(content),
            MessageTypes.Media => ParseMedia(content),
            _ => ParseInteractive(content),
        };
        content.ReportUnknownFields();
        return message is null ? null : new SendMessageConfig(message, next);
    }

    private static TextMessage? ParseText(ConfigReader content)
    {
        var text = content.String("text", required: true, FlowLimits.MaxTextBodyLength);
        var previewUrl = content.Bool("preview_url") ?? false;
        return text is null ? null : new TextMessage(text, previewUrl);
    }

    private static TemplateMessage? ParseTemplate(ConfigReader content)
    {
        var name = content.String("template_name", required: true, FlowLimits.MaxTemplateNameLength, Placeholding.Forbidden);
        if (name is { Length: > 0 } && !Placeholders.ContainsPlaceholder(name) && !TemplateName().IsMatch(name))
        {
            content.Sink.Error(content.FieldPath("template_name"), FlowProblemCodes.InvalidValue,
                $"{content.FieldPath("template_name")} may contain only lower-case letters, digits and '_'.");
        }

        var language = content.String("language_code", required: true, placeholders: Placeholding.Forbidden);
        if (language is { Length: > 0 } && !Placeholders.ContainsPlaceholder(language) && !LanguageCode().IsMatch(language))
        {
            content.Sink.Error(content.FieldPath("language_code"), FlowProblemCodes.InvalidValue,
                $"{content.FieldPath("language_code")} must be a WhatsApp language code such as 'en' or 'en_US'.");
        }

        var components = content.Take("components");
        if (components is not null && components.Value.ValueKind != JsonValueKind.Array)
        {
            content.Sink.Error(content.FieldPath("components"), FlowProblemCodes.InvalidType, $"{content.FieldPath("components")} must be an array.");
        }
        else if (components is not null)
        {
            NodeConfigParser.CheckJsonStrings(components.Value, content.FieldPath("components"), content.Sink);
        }

        return name is null || language is null ? null : new TemplateMessage(name, language, components?.Clone());
    }

    private static MediaMessage? ParseMedia(ConfigReader content)
    {
        var mediaType = content.Enum("type", MediaTypes.All, required: true);
        var source = ParseMediaSource(content);
        string? caption = null;
        string? filename = null;
        if (mediaType is not null)
        {
            if (MediaTypes.AllowsCaption(mediaType))
            {
                caption = content.String("caption", required: false, FlowLimits.MaxCaptionLength, allowEmpty: true);
            }
            else
            {
                content.Forbid("caption", $"on {mediaType} messages");
            }

            if (mediaType == MediaTypes.Document)
            {
                filename = content.String("filename", required: false);
            }
            else
            {
                content.Forbid("filename", "except on document messages");
            }
        }
        else
        {
            content.AcceptRemainingFields();
        }

        return mediaType is null || source is null ? null : new MediaMessage(mediaType, source, caption, filename);
    }

    /// <summary>Exactly one of <c>id</c> (uploaded media) and <c>link</c> (hosted media).</summary>
    private static MediaSource? ParseMediaSource(ConfigReader reader)
    {
        var hasId = reader.Has("id");
        var hasLink = reader.Has("link");
        if (!hasId && !hasLink)
        {
            reader.Take("id");
            reader.Take("link");
            reader.Sink.Error(reader.FieldPath("id"), FlowProblemCodes.MissingField,
                $"{reader.Path} needs a media 'id' (uploaded media) or a 'link' (hosted media).");
            return null;
        }

        if (hasId && hasLink)
        {
            reader.Take("id");
            reader.Forbid("link", "together with id: give one of them");
            return null;
        }

        var id = hasId ? reader.String("id", required: true) : null;
        var link = hasLink ? reader.String("link", required: true) : null;
        if (link is { Length: > 0 })
        {
            UrlRules.CheckTemplatedUrl(link, reader.FieldPath("link"), reader.Sink);
        }

        return id is null && link is null ? null : new MediaSource(id, link);
    }

    private static OutgoingMessage? ParseInteractive(ConfigReader content)
    {
        var type = content.Enum("type", InteractiveTypes.All, required: true);
        if (type is null)
        {
            content.AcceptRemainingFields();
            return null;
        }

        var isButtons = type == InteractiveTypes.Button;
        var header = ParseHeader(content, isButtons ? InteractiveHeaderTypes.ForButtons : InteractiveHeaderTypes.ForList);
        var body = content.String("body", required: true, isButtons ? FlowLimits.MaxButtonsBodyLength : FlowLimits.MaxListBodyLength);
        var footer = content.String("footer", required: false, FlowLimits.MaxFooterLength);
        if (isButtons)
        {
            var buttons = ParseButtons(content);
            return body is null || buttons is null ? null : new ButtonsMessage(header, body, footer, buttons);
        }

        var buttonText = content.String("button", required: true, FlowLimits.MaxListButtonTextLength);
        var sections = ParseSections(content);
        return body is null || buttonText is null || sections is null
            ? null
            : new ListMessage(header?.Text, body, footer, buttonText, sections);
    }

    private static InteractiveHeader? ParseHeader(ConfigReader content, IReadOnlyList<string> allowedTypes)
    {
        var header = content.Object("header", required: false);
        if (header is null)
        {
            return null;
        }

        var type = header.Enum("type", allowedTypes, required: true);
        InteractiveHeader? result = null;
        if (type is null)
        {
            header.AcceptRemainingFields();
        }
        else if (type == InteractiveHeaderTypes.Text)
        {
            var text = header.String("text", required: true, FlowLimits.MaxHeaderTextLength);
            result = text is null ? null : new InteractiveHeader(type, text, null);
        }
        else
        {
            var media = ParseMediaSource(header);
            result = media is null ? null : new InteractiveHeader(type, null, media);
        }

        header.ReportUnknownFields();
        return result;
    }

    private static List<ReplyButton>? ParseButtons(ConfigReader content)
    {
        var items = content.Array("buttons", required: true);
        if (items is null)
        {
            return null;
        }

        var field = content.FieldPath("buttons");
        if (items.Count == 0)
        {
            content.Sink.Error(field, FlowProblemCodes.EmptyValue, $"{field} needs at least one button.");
        }
        else if (items.Count > FlowLimits.MaxReplyButtons)
        {
            content.Sink.Error(field, FlowProblemCodes.TooManyItems, $"{field} has more than {FlowLimits.MaxReplyButtons} buttons.");
        }

        var buttons = new List<ReplyButton>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var titles = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var button = ConfigReader.Open(items[i], $"{field}[{i}]", content.Sink);
            if (button is null)
            {
                continue;
            }

            var id = button.String("id", required: true, FlowLimits.MaxButtonIdLength, Placeholding.Forbidden);
            var title = button.String("title", required: true, FlowLimits.MaxButtonTitleLength);
            ReportDuplicate(button, "id", id, ids);
            ReportDuplicate(button, "title", title, titles);
            button.ReportUnknownFields();
            if (id is not null && title is not null)
            {
                buttons.Add(new ReplyButton(id, title));
            }
        }

        return buttons;
    }

    private static List<ListSection>? ParseSections(ConfigReader content)
    {
        var items = content.Array("sections", required: true);
        if (items is null)
        {
            return null;
        }

        var field = content.FieldPath("sections");
        if (items.Count == 0)
        {
            content.Sink.Error(field, FlowProblemCodes.EmptyValue, $"{field} needs at least one section.");
        }
        else if (items.Count > FlowLimits.MaxListSections)
        {
            content.Sink.Error(field, FlowProblemCodes.TooManyItems, $"{field} has more than {FlowLimits.MaxListSections} sections.");
        }

        var sections = new List<ListSection>();
        var rowIds = new HashSet<string>(StringComparer.Ordinal);
        var totalRows = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var section = ConfigReader.Open(items[i], $"{field}[{i}]", content.Sink);
            if (section is null)
            {
                continue;
            }

            // Meta requires a section title when the list has more than one section.
            var title = section.String("title", required: items.Count > 1, FlowLimits.MaxSectionTitleLength);
            var rows = ParseRows(section, rowIds);
            section.ReportUnknownFields();
            totalRows += rows.Count;
            sections.Add(new ListSection(title, rows));
        }

        if (totalRows > FlowLimits.MaxListRowsTotal)
        {
            content.Sink.Error(field, FlowProblemCodes.TooManyItems,
                $"{field} has {totalRows} rows; a list has at most {FlowLimits.MaxListRowsTotal} rows across all sections.");
        }

        return sections;
    }

    private static List<ListRow> ParseRows(ConfigReader section, HashSet<string> rowIds)
    {
        var rows = new List<ListRow>();
        var items = section.Array("rows", required: true);
        if (items is null)
        {
            return rows;
        }

        if (items.Count == 0)
        {
            section.Sink.Error(section.FieldPath("rows"), FlowProblemCodes.EmptyValue, $"{section.FieldPath("rows")} needs at least one row.");
        }

        for (var j = 0; j < items.Count; j++)
        {
            var row = ConfigReader.Open(items[j], $"{section.FieldPath("rows")}[{j}]", section.Sink);
            if (row is null)
            {
                continue;
            }

            var id = row.String("id", required: true, FlowLimits.MaxRowIdLength, Placeholding.Forbidden);
            var title = row.String("title", required: true, FlowLimits.MaxRowTitleLength);
            var description = row.String("description", required: false, FlowLimits.MaxRowDescriptionLength);
            ReportDuplicate(row, "id", id, rowIds);
            row.ReportUnknownFields();
            if (id is not null && title is not null)
            {
                rows.Add(new ListRow(id, title, description));
            }
        }

        return rows;
    }

    private static void ReportDuplicate(ConfigReader reader, string name, string? value, HashSet<string> seen)
    {
        if (value is not null && !seen.Add(value))
        {
            reader.Sink.Error(reader.FieldPath(name), FlowProblemCodes.DuplicateValue,
                $"{reader.FieldPath(name)} '{value}' is already used in this message.");
        }
    }

    [GeneratedRegex(@"^[a-z0-9_]+\z")]
    private static partial Regex TemplateName();

    [GeneratedRegex(@"^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?\z")]
    private static partial Regex LanguageCode();
}
