using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ChatBoost.FakeGraphApi;

/// <summary>Builds realistic Cloud API webhook bodies for <c>/_fake/inbound</c> and <c>/_fake/status</c>.</summary>
public static class WebhookPayloads
{
    private static readonly string[] MessageTypes =
        ["interactive", "button", "image", "video", "audio", "document", "sticker", "location", "contacts", "reaction", "text"];

    private static readonly Dictionary<string, string> DefaultMimeTypes = new()
    {
        ["image"] = "image/jpeg",
        ["video"] = "video/mp4",
        ["audio"] = "audio/ogg; codecs=opus",
        ["document"] = "application/pdf",
        ["sticker"] = "image/webp",
    };

    public static string NewWaMessageId() =>
        "wamid.HBgL" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', 'A').Replace('/', 'B');

    public static string NewMediaId() => RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The message object for an inbound request: <c>message</c> as given, or built from <c>type</c> and the matching
    /// property (<c>"text":"hi"</c> or an object). Media without an id gets one, registered through <paramref name="addMedia"/>.
    /// </summary>
    /// <paramref name="from"/> is the sender's phone number, or null for a user whose number Meta withholds: then the message
    /// names only <c>from_user_id</c> (the request's business-scoped user id), as Meta's 2026 payloads do.
    public static JsonObject InboundMessage(JsonObject request, string? from, DateTimeOffset now, Action<StoredMedia> addMedia)
    {
        var given = Json.Obj(request, "message")?.DeepClone() as JsonObject;
        var message = new JsonObject();
        if ((Json.Str(given, "from") ?? from) is { } phone)
        {
            message["from"] = phone;
        }

        if (Json.Str(request, "from_user_id") is { } userId)
        {
            message["from_user_id"] = userId;
        }

        message["id"] = Json.Str(given, "id") ?? Json.Str(request, "wamid") ?? NewWaMessageId();
        message["timestamp"] = Json.Str(given, "timestamp") ?? Json.Str(request, "timestamp") ?? now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (Json.Str(request, "context_wamid") is { } replyTo)
        {
            message["context"] = new JsonObject { ["from"] = Json.Str(request, "display_phone_number") ?? "15550009999", ["id"] = replyTo };
        }

        if (given is not null)
        {
            foreach (var (name, value) in given.ToList())
            {
                given.Remove(name);
                message[name] ??= value;
            }

            return message;
        }

        var (type, content) = Content(request, addMedia);
        message["type"] = type;
        message[type] = content;
        return message;
    }

    private static (string Type, JsonNode Content) Content(JsonObject request, Action<StoredMedia> addMedia)
    {
        var type = Json.Str(request, "type") ?? MessageTypes.FirstOrDefault(request.ContainsKey) ?? "text";
        var content = request.TryGetPropertyValue(type, out var given) ? given?.DeepClone() : null;
        if (type == "text" && content is JsonValue text)
        {
            content = new JsonObject { ["body"] = text.DeepClone() };
        }

        if (DefaultMimeTypes.TryGetValue(type, out var mimeType))
        {
            var media = content as JsonObject ?? new JsonObject();
            if (Json.Str(media, "id") is null)
            {
                var bytes = RandomNumberGenerator.GetBytes(64);
                var stored = new StoredMedia(NewMediaId(), Json.Str(media, "mime_type") ?? mimeType, bytes, Convert.ToBase64String(SHA256.HashData(bytes)));
                addMedia(stored);
                media["id"] = stored.Id;
                media["mime_type"] ??= stored.MimeType;
                media["sha256"] ??= stored.Sha256;
            }

            content = media;
        }

        if (type == "interactive" && content is JsonObject interactive && Json.Str(interactive, "type") is null)
        {
            interactive["type"] = interactive.ContainsKey("list_reply") ? "list_reply" : "button_reply";
        }

        return (type, content ?? new JsonObject());
    }

    /// <summary>
    /// One status object; <c>failed</c> carries <paramref name="error"/> (default 131026), the others a conversation and
    /// pricing; <paramref name="callbackData"/> is the send's <c>biz_opaque_callback_data</c>, echoed as Meta does.
    /// </summary>
    public static JsonObject Status(
        string wamid, string status, string recipientId, DateTimeOffset at, string conversationId, string pricingCategory, JsonObject? error,
        string? callbackData = null)
    {
        var node = new JsonObject
        {
            ["id"] = wamid,
            ["status"] = status,
            ["timestamp"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["recipient_id"] = recipientId,
        };
        if (callbackData is not null)
        {
            node["biz_opaque_callback_data"] = callbackData;
        }

        if (status == "failed")
        {
            var code = Json.Int(error, "code") ?? 131026;
            var title = Json.Str(error, "title") ?? GraphFailure.KnownTitle(code);
            node["errors"] = new JsonArray(new JsonObject
            {
                ["code"] = code,
                ["title"] = title,
                ["message"] = Json.Str(error, "message") ?? title,
                ["error_data"] = new JsonObject { ["details"] = Json.Str(error, "details") ?? title },
                ["href"] = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            });
        }
        else
        {
            node["conversation"] = new JsonObject { ["id"] = conversationId, ["origin"] = new JsonObject { ["type"] = pricingCategory } };
            node["pricing"] = new JsonObject { ["billable"] = true, ["pricing_model"] = "CBP", ["category"] = pricingCategory };
        }

        return node;
    }

    /// <summary>The envelope: <c>{"object":"whatsapp_business_account","entry":[{"id","changes":[{"value":{…},"field":"messages"}]}]}</c>.</summary>
    public static JsonObject Envelope(JsonObject request, string phoneNumberId, JsonArray? contacts, JsonArray? messages, JsonArray? statuses)
    {
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject
            {
                ["display_phone_number"] = Json.Str(request, "display_phone_number") ?? "15550009999",
                ["phone_number_id"] = phoneNumberId,
            },
        };
        if (contacts is not null)
        {
            value["contacts"] = contacts;
        }

        if (messages is not null)
        {
            value["messages"] = messages;
        }

        if (statuses is not null)
        {
            value["statuses"] = statuses;
        }

        return new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = Json.Str(request, "waba_id") ?? "102290129340398",
                ["changes"] = new JsonArray(new JsonObject { ["value"] = value, ["field"] = "messages" }),
            }),
        };
    }
}
