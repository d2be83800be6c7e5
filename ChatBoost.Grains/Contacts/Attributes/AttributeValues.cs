using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Contacts.Attributes;

/// <summary>
/// Rules for typed contact attribute values: key grammar, conversion of raw text to the canonical text of a
/// <see cref="AttributeValueTypes"/> type, and the JSON view used by flow conditions.
/// </summary>
public static partial class AttributeValues
{
    /// <summary>The longest canonical value, in Unicode characters (code points).</summary>
    public const int MaxValueLength = 4096;

    public const int MaxAttributesPerContact = 100;

    /// <summary>How deeply a <c>json</c> value may nest.</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>2^53: every integer up to this magnitude is exactly representable as a double.</summary>
    private const double MaxExactInteger = 9007199254740992d;

    private const int ShownValueLength = 50;

    private static readonly JsonWriterOptions CompactWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether <paramref name="key"/> is 1–64 characters of <c>A-Z a-z 0-9 _ . -</c> (the placeholder KEY grammar).</summary>
    public static bool IsValidKey(string key) => key is not null && Placeholders.AttributeKeyPattern().IsMatch(key);

    /// <summary>
    /// Converts <paramref name="raw"/> to the canonical value of <paramref name="valueType"/>:
    /// <list type="bullet">
    /// <item><c>string</c>: as given.</item>
    /// <item><c>number</c>: a JSON number after trimming, written in invariant shortest form (<c>25</c>, <c>1.5</c>,
    /// <c>-1500</c>); NaN, infinities, out-of-range numbers and integers that a double cannot hold exactly are refused.</item>
    /// <item><c>boolean</c>: <c>true</c> or <c>false</c> in any case after trimming, written in lower case.</item>
    /// <item><c>json</c>: any JSON text nested at most <see cref="MaxJsonDepth"/> levels, written compactly.</item>
    /// </list>
    /// The canonical text is at most <see cref="MaxValueLength"/> characters. <paramref name="error"/> is a
    /// user-facing sentence such as <c>'abc' is not a number</c>.
    /// </summary>
    public static bool TryNormalize(string valueType, string raw, out AttributeValue? value, out string? error) =>
        TryNormalize(valueType, raw, quoteValue: true, out value, out error);

    /// <summary>
    /// As <see cref="TryNormalize(string, string, out AttributeValue?, out string?)"/>; with
    /// <paramref name="quoteValue"/> false the error says "the value" instead of quoting it (for logs, where attribute
    /// values must not appear).
    /// </summary>
    public static bool TryNormalize(string valueType, string raw, bool quoteValue, out AttributeValue? value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(raw);
        value = null;
        var shown = quoteValue ? $"'{Shorten(raw)}'" : "the value";
        string? canonical;
        switch (valueType)
        {
            case AttributeValueTypes.String:
                canonical = raw;
                error = null;
                break;
            case AttributeValueTypes.Number:
                canonical = NormalizeNumber(raw, shown, out error);
                break;
            case AttributeValueTypes.Boolean:
                canonical = NormalizeBoolean(raw, shown, out error);
                break;
            case AttributeValueTypes.Json:
                canonical = NormalizeJson(raw, shown, out error);
                break;
            default:
                error = $"'{valueType}' is not an attribute type; use one of: {string.Join(", ", AttributeValueTypes.All)}.";
                return false;
        }

        if (canonical is null)
        {
            return false;
        }

        if (canonical.Length > MaxValueLength && FlowLimits.TextLength(canonical) > MaxValueLength)
        {
            error = $"the value is longer than {MaxValueLength} characters.";
            return false;
        }

        value = new AttributeValue(valueType, canonical);
        return true;
    }

    /// <summary>
    /// The value as JSON: a string, a number, a boolean, or the parsed <c>json</c> value. A stored value that does not
    /// parse as its type (written by an older version) is returned as a JSON string.
    /// </summary>
    public static JsonElement ToJson(AttributeValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.ValueType)
        {
            case AttributeValueTypes.Number when TryParseNumber(value.Value, out var number):
                return ParseElement(FormatNumber(number));
            case AttributeValueTypes.Boolean when value.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase):
                return ParseElement("true");
            case AttributeValueTypes.Boolean when value.Value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase):
                return ParseElement("false");
            case AttributeValueTypes.Json:
                try
                {
                    return ParseElement(value.Value);
                }
                catch (JsonException)
                {
                    return StringElement(value.Value);
                }

            default:
                return StringElement(value.Value);
        }
    }

    /// <summary>
    /// Whether <paramref name="text"/>, trimmed, is a JSON number (<c>25</c>, <c>-1.5e3</c>; no <c>+</c>, no leading
    /// dot, no NaN) whose value is a finite double.
    /// </summary>
    public static bool TryParseNumber(string? text, out double number)
    {
        number = 0;
        if (text is null)
        {
            return false;
        }

        var trimmed = text.Trim();
        return JsonNumber().IsMatch(trimmed)
            && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number);
    }

    /// <summary>
    /// The invariant shortest text of a number: integers up to 2^53 in plain digits (<c>25</c>, <c>-1500</c>,
    /// <c>1000000000000000</c>), anything else in round-trip form (<c>1.5</c>, <c>1E-07</c>, <c>1E+21</c>). Zero is <c>0</c>.
    /// </summary>
    public static string FormatNumber(double number)
    {
        if (number == 0)
        {
            return "0";
        }

        return Math.Abs(number) <= MaxExactInteger && Math.Truncate(number) == number
            ? number.ToString("F0", CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string? NormalizeNumber(string raw, string shown, out string? error)
    {
        error = null;
        var text = raw.Trim();
        if (text.Length == 0)
        {
            error = "an empty value is not a number.";
            return null;
        }

        if (!JsonNumber().IsMatch(text))
        {
            error = $"{shown} is not a number.";
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            error = $"{shown} is too large for a number.";
            return null;
        }

        if (Math.Abs(number) >= MaxExactInteger && IntegerLiteral().IsMatch(text)
            && BigInteger.Parse(text, CultureInfo.InvariantCulture) != new BigInteger(number))
        {
            error = $"{shown} has more digits than a number keeps exactly; store it as a string.";
            return null;
        }

        return FormatNumber(number);
    }

    private static string? NormalizeBoolean(string raw, string shown, out string? error)
    {
        error = null;
        var text = raw.Trim();
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return "true";
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return "false";
        }

        error = text.Length == 0 ? "an empty value is not a boolean (use true or false)." : $"{shown} is not a boolean (use true or false).";
        return null;
    }

    private static string? NormalizeJson(string raw, string shown, out string? error)
    {
        error = null;
        if (raw.Trim().Length == 0)
        {
            error = "an empty value is not valid JSON.";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            return Compact(document.RootElement);
        }
        catch (JsonException)
        {
            error = IsDeepJson(raw) ? $"{shown} is nested deeper than {MaxJsonDepth} levels." : $"{shown} is not valid JSON.";
            return null;
        }
    }

    /// <summary>Whether the text is valid JSON once the depth limit is lifted (to tell "too deep" from "invalid").</summary>
    private static bool IsDeepJson(string raw)
    {
        try
        {
            using var _ = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 4096 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Compact(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactWriter))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4096 });
        return document.RootElement.Clone();
    }

    private static JsonElement StringElement(string text)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CompactWriter))
        {
            writer.WriteStringValue(text);
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    private static string Shorten(string text) => text.Length <= ShownValueLength ? text : text[..ShownValueLength] + "…";

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\z")]
    private static partial Regex JsonNumber();

    [GeneratedRegex(@"^-?[0-9]+\z")]
    private static partial Regex IntegerLiteral();
}
