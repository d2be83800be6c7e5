using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Placeholder values and rendering (docs/flows.md, "Placeholders" and "As text"). Pure: the caller passes the
/// contact, the state variables and the current time.
/// </summary>
public static partial class FlowRendering
{
    /// <summary>
    /// The seed's examples use <c>{{state.current_time}}</c>; when no such variable exists it renders as <c>now</c>.
    /// </summary>
    public const string CurrentTimeVariable = "current_time";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>ISO-8601 UTC to the second: <c>2026-01-15T09:30:00Z</c>.</summary>
    public static string FormatNow(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The value of a reference as JSON, or null when it is missing (absent, JSON null, an empty contact name part, or a
    /// path that does not lead anywhere). Contact fields and <c>now</c> are strings; attributes are typed
    /// (<see cref="AttributeValues.ToJson"/>); state values are as stored.
    /// </summary>
    public static JsonElement? Resolve(
        PlaceholderRef reference, ContactContext contact, IReadOnlyDictionary<string, JsonElement> variables, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(variables);
        switch (reference.Kind)
        {
            case PlaceholderKind.ContactPhone:
                return NonEmpty(contact.Phone);
            case PlaceholderKind.ContactName:
                return NonEmpty(contact.Name?.Trim());
            case PlaceholderKind.ContactFirstName:
                return NonEmpty(contact.FirstName?.Trim() is { Length: > 0 } first ? first : SplitName(contact.Name).First);
            case PlaceholderKind.ContactLastName:
                return NonEmpty(contact.LastName?.Trim() is { Length: > 0 } last ? last : SplitName(contact.Name).Last);
            case PlaceholderKind.ContactAttribute:
                return reference.Name is not null && contact.Attributes.TryGetValue(reference.Name, out var attribute)
                    ? NotNull(AttributeValues.ToJson(attribute))
                    : null;
            case PlaceholderKind.Now:
                return StringElement(FormatNow(now));
            case PlaceholderKind.State:
                if (reference.Name is null)
                {
                    return null;
                }

                if (!variables.TryGetValue(reference.Name, out var root))
                {
                    return reference.Name == CurrentTimeVariable && reference.Path.Count == 0 ? StringElement(FormatNow(now)) : null;
                }

                return Navigate(root, reference.Path);
            default:
                return null;
        }
    }

    /// <summary>
    /// Renders a template: each well-formed placeholder becomes its value as text (passed through
    /// <paramref name="encode"/> when given), a missing one becomes the empty string and is reported to
    /// <paramref name="onMissing"/>. Malformed placeholders are left as written.
    /// </summary>
    public static string Render(
        string template, Func<PlaceholderRef, JsonElement?> resolve, Action<PlaceholderRef>? onMissing = null, Func<string, string>? encode = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(resolve);
        return Placeholders.Render(template, reference =>
        {
            var value = resolve(reference);
            if (value is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } present)
            {
                onMissing?.Invoke(reference);
                return null;
            }

            var text = AsText(present);
            return encode is null ? text : encode(text);
        });
    }

    /// <summary>Renders a template against a contact, state variables and the current time.</summary>
    public static string Render(
        string template, ContactContext contact, IReadOnlyDictionary<string, JsonElement> variables, DateTimeOffset now,
        Action<PlaceholderRef>? onMissing = null) =>
        Render(template, r => Resolve(r, contact, variables, now), onMissing);

    /// <summary>
    /// A JSON value "as text": a string as is, a number in invariant shortest form (integers keep all their digits),
    /// <c>true</c>/<c>false</c>, an object or array as compact JSON; null is the empty string.
    /// </summary>
    public static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => NumberText(value.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object or JsonValueKind.Array => ToCompactJson(value),
        _ => "",
    };

    /// <summary>
    /// A JSON value "as a number": a number as is, or a string that parses as a JSON number after trimming.
    /// </summary>
    public static bool TryAsNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number) && double.IsFinite(number),
            JsonValueKind.String => AttributeValues.TryParseNumber(value.GetString(), out number),
            _ => false,
        };
    }

    /// <summary>
    /// A copy of <paramref name="template"/> whose string values (not property names) went through
    /// <paramref name="renderString"/>. Built with a JSON writer, so rendered text is always properly escaped.
    /// </summary>
    public static JsonElement RenderJson(JsonElement template, Func<string, string> renderString)
    {
        var json = RenderJsonText(template, renderString);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        return document.RootElement.Clone();
    }

    /// <summary>As <see cref="RenderJson"/>, as compact JSON text.</summary>
    public static string RenderJsonText(JsonElement template, Func<string, string> renderString)
    {
        ArgumentNullException.ThrowIfNull(renderString);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteRendered(writer, template, renderString);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Compact JSON text, non-ASCII characters kept readable.</summary>
    public static string ToCompactJson(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            value.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A JSON string element.</summary>
    public static JsonElement StringElement(string text)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStringValue(text);
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>The JSON null element.</summary>
    public static JsonElement NullElement()
    {
        using var document = JsonDocument.Parse("null");
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Splits a profile name: the first whitespace-separated word, and the rest trimmed (null when there is none).
    /// </summary>
    public static (string? First, string? Last) SplitName(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return (null, null);
        }

        var end = 0;
        while (end < trimmed.Length && !char.IsWhiteSpace(trimmed[end]))
        {
            end++;
        }

        var rest = trimmed[end..].Trim();
        return (trimmed[..end], rest.Length == 0 ? null : rest);
    }

    private static JsonElement? Navigate(JsonElement value, IReadOnlyList<string> path)
    {
        var current = value;
        foreach (var segment in path)
        {
            switch (current.ValueKind)
            {
                case JsonValueKind.Object when current.TryGetProperty(segment, out var property):
                    current = property;
                    break;
                case JsonValueKind.Array when ArrayIndex().IsMatch(segment)
                    && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < current.GetArrayLength():
                    current = current[index];
                    break;
                default:
                    return null;
            }
        }

        return NotNull(current);
    }

    private static JsonElement? NotNull(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : value;

    private static JsonElement? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : StringElement(text);

    private static string NumberText(string raw)
    {
        if (IntegerLiteral().IsMatch(raw))
        {
            return raw == "-0" ? "0" : raw;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? AttributeValues.FormatNumber(number)
            : raw;
    }

    private static void WriteRendered(Utf8JsonWriter writer, JsonElement element, Func<string, string> renderString)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(renderString(element.GetString()!));
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteRendered(writer, property.Value, renderString);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteRendered(writer, item, renderString);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    [GeneratedRegex(@"^-?[0-9]+\z")]
    private static partial Regex IntegerLiteral();

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,8})\z")]
    private static partial Regex ArrayIndex();
}
