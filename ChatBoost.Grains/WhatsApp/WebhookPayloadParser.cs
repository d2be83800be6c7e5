using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Reads a WhatsApp Cloud API webhook body
/// (<c>{"object":"whatsapp_business_account","entry":[{"id","changes":[{"field":"messages","value":{…}}]}]}</c>).
/// Pure and defensive: never throws, tolerates missing optional fields and wrong types, and refuses payloads
/// with more than <see cref="MaxItems"/> messages and statuses.
/// </summary>
public static class WebhookPayloadParser
{
    public const int MaxItems = 1_000;
    private const string BusinessAccountObject = "whatsapp_business_account";
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static WebhookParseResult Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return WebhookParseResult.Invalid("The body is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), DocumentOptions);
            return ParseDocument(document.RootElement);
        }
        catch (JsonException)
        {
            return WebhookParseResult.Invalid("The body is not valid JSON.");
        }
        catch (InvalidOperationException)
        {
            // A string that cannot become UTF-16 text, such as an escaped lone surrogate ("\ud800").
            return WebhookParseResult.Invalid("The body holds a string that is not valid text.");
        }
    }

    private static WebhookParseResult ParseDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return WebhookParseResult.Invalid("The body must be a JSON object.");
        }

        if (String(root, "object") != BusinessAccountObject)
        {
            return WebhookParseResult.Invalid($"'object' must be '{BusinessAccountObject}'.");
        }

        if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return WebhookParseResult.Invalid("'entry' must be an array.");
        }

        if (CountItems(entries) > MaxItems)
        {
            return WebhookParseResult.Invalid($"The payload holds more than {MaxItems} messages and statuses.");
        }

        return ParseEntries(entries);
    }

    private static int CountItems(JsonElement entries)
    {
        var count = 0;
        foreach (var value in Values(entries))
        {
            count += ArrayLength(value, "messages") + ArrayLength(value, "statuses");
        }

        return count;
    }

    private static IEnumerable<JsonElement> Values(JsonElement entries)
    {
        foreach (var entry in Array(entries))
        {
            foreach (var change in Array(Property(entry, "changes")))
            {
                if (String(change, "field") == "messages" && Property(change, "value") is { ValueKind: JsonValueKind.Object } value)
                {
                    yield return value;
                }
            }
        }
    }

    private static WebhookParseResult ParseEntries(JsonElement entries)
    {
        var batches = new List<WebhookBatch>();
        var ignored = 0;
        var skipped = 0;
        foreach (var entry in Array(entries))
        {
            var businessAccountId = String(entry, "id");
            foreach (var change in Array(Property(entry, "changes")))
            {
                if (String(change, "field") != "messages")
                {
                    ignored++;
                    continue;
                }

                var value = Property(change, "value");
                var metadata = Property(value, "metadata");
                var phoneNumberId = String(metadata, "phone_number_id");
                if (string.IsNullOrEmpty(phoneNumberId))
                {
                    skipped++;
                    continue;
                }

                var profiles = Profiles(Property(value, "contacts"));
                var messages = new List<InboundMessage>();
                foreach (var message in Array(Property(value, "messages")))
                {
                    if (ParseMessage(message, profiles) is { } parsed)
                    {
                        messages.Add(parsed);
                    }
                    else
                    {
                        skipped++;
                    }
                }

                var statuses = new List<StatusUpdate>();
                foreach (var status in Array(Property(value, "statuses")))
                {
                    if (ParseStatus(status) is { } parsed)
                    {
                        statuses.Add(parsed);
                    }
                    else
                    {
                        skipped++;
                    }
                }

                batches.Add(new WebhookBatch(phoneNumberId, String(metadata, "display_phone_number"), businessAccountId, messages, statuses));
            }
        }

        return WebhookParseResult.Valid(batches, ignored, skipped);
    }

    /// <summary>The senders' profiles (name, username), by phone number (<c>wa_id</c>) and by BSUID (<c>user_id</c>).</summary>
    private static Dictionary<string, (string? Name, string? Username)> Profiles(JsonElement contacts)
    {
        var profiles = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
        foreach (var contact in Array(contacts))
        {
            var profile = Property(contact, "profile");
            var entry = (String(profile, "name"), String(profile, "username"));
            foreach (var key in new[] { String(contact, "wa_id"), String(contact, "user_id") })
            {
                if (!string.IsNullOrEmpty(key))
                {
                    profiles.TryAdd(key, entry);
                }
            }
        }

        return profiles;
    }

    private static InboundMessage? ParseMessage(JsonElement message, Dictionary<string, (string? Name, string? Username)> profiles)
    {
        var id = String(message, "id");
        var phone = String(message, "from");
        var userId = String(message, "from_user_id");
        // A sender is a phone number's digits or a BSUID; anything else (a placeholder such as PHONE_NUMBER) is refused.
        if (string.IsNullOrEmpty(id)
            || (!string.IsNullOrEmpty(phone) && !ContactKeys.IsPhoneNumber(phone))
            || (!string.IsNullOrEmpty(userId) && !ContactKeys.IsBusinessScopedUserId(userId))
            || (string.IsNullOrEmpty(phone) && string.IsNullOrEmpty(userId)))
        {
            return null;
        }

        var from = string.IsNullOrEmpty(phone) ? userId! : phone;
        var profile = profiles.TryGetValue(from, out var byKey) ? byKey
            : userId is not null && profiles.TryGetValue(userId, out var byUser) ? byUser
            : default;

        var type = String(message, "type") ?? "unknown";
        var body = Property(message, type);
        var interactive = Property(message, "interactive");
        var buttonReply = Property(interactive, "button_reply");
        var listReply = Property(interactive, "list_reply");
        var button = Property(message, "button");

        var media = type is "image" or "video" or "audio" or "document" or "sticker" && body.ValueKind == JsonValueKind.Object
            ? new InboundMedia(String(body, "id"), String(body, "mime_type"), String(body, "sha256"), String(body, "caption"), String(body, "filename"))
            : null;
        var location = type == "location" && body.ValueKind == JsonValueKind.Object
            ? new InboundLocation(Number(body, "latitude"), Number(body, "longitude"), String(body, "name"), String(body, "address"))
            : null;
        var reaction = type == "reaction" && body.ValueKind == JsonValueKind.Object
            ? new InboundReaction(String(body, "message_id"), String(body, "emoji"))
            : null;

        var text = String(Property(message, "text"), "body")
            ?? media?.Caption
            ?? String(buttonReply, "title")
            ?? String(listReply, "title")
            ?? String(button, "text");
        var replyId = String(buttonReply, "id") ?? String(listReply, "id") ?? String(button, "payload");

        return new InboundMessage(
            id,
            from,
            profile.Name,
            UnixTime(message, "timestamp"),
            type,
            text,
            replyId,
            media,
            location,
            reaction,
            String(Property(message, "context"), "id"),
            message.GetRawText(),
            string.IsNullOrEmpty(userId) ? null : userId,
            profile.Username);
    }

    private static StatusUpdate? ParseStatus(JsonElement status)
    {
        var id = String(status, "id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        var raw = String(status, "status") ?? "";
        var errors = new List<StatusError>();
        foreach (var error in Array(Property(status, "errors")))
        {
            errors.Add(new StatusError(
                Integer(error, "code"),
                String(error, "title"),
                String(error, "message"),
                String(Property(error, "error_data"), "details")));
        }

        return new StatusUpdate(
            id,
            DeliveryStatus.Parse(raw),
            raw,
            UnixTime(status, "timestamp"),
            String(status, "recipient_id"),
            String(Property(status, "conversation"), "id"),
            String(Property(status, "pricing"), "category"),
            errors,
            String(status, "biz_opaque_callback_data"));
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static JsonElement.ArrayEnumerator Array(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : default;

    private static int ArrayLength(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Array } array ? array.GetArrayLength() : 0;

    private static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static double? Number(JsonElement element, string name)
    {
        var value = Property(element, name);
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var number) => number,
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }

    private static int? Integer(JsonElement element, string name)
    {
        var value = Property(element, name);
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }

    /// <summary>Meta sends unix seconds as a string; a number is accepted too. Out-of-range values read as null.</summary>
    private static DateTimeOffset? UnixTime(JsonElement element, string name)
    {
        var value = Property(element, name);
        long seconds = 0;
        var ok = (value.ValueKind == JsonValueKind.String
                  && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
                 || (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out seconds));
        return ok && seconds is >= 0 and <= 253_402_300_799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }
}
