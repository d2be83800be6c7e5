using System.Text.Json.Nodes;

namespace ChatBoost.FakeGraphApi;

/// <summary>
/// Checks a <c>/messages</c> body the way the Cloud API does for the fields ChatBoost sends: required fields
/// (131008), unknown values (100) and Meta's limits (131009 for button/list structure, 100 for text length).
/// </summary>
public static class SendBodyValidator
{
    private static readonly HashSet<string> KnownTypes =
        ["text", "template", "image", "video", "audio", "document", "sticker", "interactive", "location", "contacts", "reaction"];

    private static readonly HashSet<string> InteractiveTypes =
        ["button", "list", "cta_url", "flow", "location_request_message", "product", "product_list"];

    /// <summary>The message type (Meta defaults it to <c>text</c>), or the failure to answer.</summary>
    public static (string? Type, GraphFailure? Failure) Validate(JsonObject body)
    {
        if (Json.Str(body, "messaging_product") != "whatsapp")
        {
            return Fail(GraphFailure.Invalid("The parameter messaging_product is required and must be 'whatsapp'."));
        }

        // Like Meta: a phone number in "to", or a business-scoped user id in "recipient" (one of them).
        if (string.IsNullOrWhiteSpace(Json.Str(body, "to")) == string.IsNullOrWhiteSpace(Json.Str(body, "recipient")))
        {
            return Fail(GraphFailure.Invalid("Exactly one of the parameters to and recipient is required."));
        }

        if (Json.Str(body, "recipient_type") is { } recipientType && recipientType is not ("individual" or "group"))
        {
            return Fail(GraphFailure.Invalid("Param recipient_type must be 'individual'."));
        }

        if (body.ContainsKey("context") && Json.Str(Json.Obj(body, "context"), "message_id") is null)
        {
            return Fail(GraphFailure.Missing("The parameter context['message_id'] is required."));
        }

        var type = body.ContainsKey("type") ? Json.Str(body, "type") : "text";
        if (type is null || !KnownTypes.Contains(type))
        {
            return Fail(GraphFailure.Invalid($"Param type must be one of {{{string.Join(", ", KnownTypes.Order())}}}."));
        }

        if (Json.Obj(body, type) is not { } content)
        {
            return type == "contacts" && body["contacts"] is JsonArray { Count: > 0 }
                ? (type, null)
                : Fail(GraphFailure.Missing($"The parameter {type} is required."));
        }

        var failure = type switch
        {
            "text" => Text(content),
            "template" => Template(content),
            "image" or "video" or "audio" or "document" or "sticker" => Media(type, content),
            "interactive" => Interactive(content),
            "location" => Json.Num(content, "latitude") is null || Json.Num(content, "longitude") is null
                ? GraphFailure.Missing("The parameters location['latitude'] and location['longitude'] are required.")
                : null,
            "reaction" => Json.Str(content, "message_id") is null || Json.Str(content, "emoji") is null
                ? GraphFailure.Missing("The parameters reaction['message_id'] and reaction['emoji'] are required.")
                : null,
            _ => null,
        };
        return (type, failure);
    }

    private static (string?, GraphFailure?) Fail(GraphFailure failure) => (null, failure);

    private static GraphFailure? Text(JsonObject text) => Json.Str(text, "body") switch
    {
        null or "" => GraphFailure.Missing("The parameter text['body'] is required."),
        { Length: > 4096 } => GraphFailure.Invalid("Param text['body'] must be at most 4096 characters long."),
        _ => null,
    };

    private static GraphFailure? Template(JsonObject template)
    {
        if (string.IsNullOrEmpty(Json.Str(template, "name")))
        {
            return GraphFailure.Missing("The parameter template['name'] is required.");
        }

        if (string.IsNullOrEmpty(Json.Str(Json.Obj(template, "language"), "code")))
        {
            return GraphFailure.Missing("The parameter template['language']['code'] is required.");
        }

        return template.ContainsKey("components") && template["components"] is not JsonArray
            ? GraphFailure.Invalid("Param template['components'] must be an array.")
            : null;
    }

    private static GraphFailure? Media(string type, JsonObject media)
    {
        var hasId = !string.IsNullOrEmpty(Json.Str(media, "id"));
        var hasLink = !string.IsNullOrEmpty(Json.Str(media, "link"));
        if (!hasId && !hasLink)
        {
            return GraphFailure.Missing($"The parameter {type}['id'] or {type}['link'] is required.");
        }

        if (hasId && hasLink)
        {
            return GraphFailure.Invalid($"Only one of {type}['id'] and {type}['link'] may be given.");
        }

        var caption = Json.Str(media, "caption");
        if (caption is not null && type is "audio" or "sticker")
        {
            return GraphFailure.Invalid($"Param {type}['caption'] is not supported.");
        }

        return caption is { Length: > 1024 } ? GraphFailure.Invalid($"Param {type}['caption'] must be at most 1024 characters long.") : null;
    }

    private static GraphFailure? Interactive(JsonObject interactive)
    {
        var type = Json.Str(interactive, "type");
        if (type is null || !InteractiveTypes.Contains(type))
        {
            return GraphFailure.Invalid("Param interactive['type'] must be one of {button, list, cta_url, flow, location_request_message, product, product_list}.");
        }

        if (type is not ("button" or "list"))
        {
            return null;
        }

        var body = Json.Str(Json.Obj(interactive, "body"), "text");
        if (string.IsNullOrEmpty(body))
        {
            return GraphFailure.Missing("The parameter interactive['body']['text'] is required.");
        }

        if (body.Length > (type == "button" ? 1024 : 4096))
        {
            return GraphFailure.NotValid("interactive['body']['text'] is too long.");
        }

        var action = Json.Obj(interactive, "action");
        return type == "button" ? Buttons(action) : List(action);
    }

    private static GraphFailure? Buttons(JsonObject? action)
    {
        if (action?["buttons"] is not JsonArray buttons || buttons.Count == 0)
        {
            return GraphFailure.Missing("The parameter interactive['action']['buttons'] is required.");
        }

        if (buttons.Count > 3)
        {
            return GraphFailure.NotValid("Button count must be at most 3.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var button in buttons)
        {
            var reply = Json.Obj(button as JsonObject, "reply");
            var id = Json.Str(reply, "id");
            var title = Json.Str(reply, "title");
            if (Json.Str(button as JsonObject, "type") != "reply" || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(title))
            {
                return GraphFailure.Missing("Each button needs type 'reply' and reply['id'] and reply['title'].");
            }

            if (title.Length > 20 || id.Length > 256)
            {
                return GraphFailure.NotValid("Button title must be at most 20 characters and id at most 256.");
            }

            if (!ids.Add(id))
            {
                return GraphFailure.NotValid("Button ids must be unique.");
            }
        }

        return null;
    }

    private static GraphFailure? List(JsonObject? action)
    {
        var button = Json.Str(action, "button");
        if (string.IsNullOrEmpty(button))
        {
            return GraphFailure.Missing("The parameter interactive['action']['button'] is required.");
        }

        if (button.Length > 20)
        {
            return GraphFailure.NotValid("interactive['action']['button'] must be at most 20 characters.");
        }

        if (action?["sections"] is not JsonArray sections || sections.Count == 0)
        {
            return GraphFailure.Missing("The parameter interactive['action']['sections'] is required.");
        }

        if (sections.Count > 10)
        {
            return GraphFailure.NotValid("A list has at most 10 sections.");
        }

        var rows = sections.Select(s => (s as JsonObject)?["rows"] as JsonArray).ToList();
        if (rows.Any(r => r is null || r.Count == 0))
        {
            return GraphFailure.Missing("Each section needs rows.");
        }

        var allRows = rows.SelectMany(r => r!).ToList();
        if (allRows.Count > 10)
        {
            return GraphFailure.NotValid("A list has at most 10 rows in all sections.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in allRows.Select(r => r as JsonObject))
        {
            var id = Json.Str(row, "id");
            var title = Json.Str(row, "title");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(title))
            {
                return GraphFailure.Missing("Each row needs an id and a title.");
            }

            if (id.Length > 200 || title.Length > 24 || Json.Str(row, "description") is { Length: > 72 })
            {
                return GraphFailure.NotValid("Row id at most 200, title at most 24, description at most 72 characters.");
            }

            if (!ids.Add(id))
            {
                return GraphFailure.NotValid("Row ids must be unique.");
            }
        }

        return null;
    }
}
