using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// A trigger's <c>event_conditions</c>, parsed: a JSON object whose every entry must hold (AND; an empty or absent object
/// always holds). A key is an event field (<see cref="EventTriggerTypes.FieldsOf(string)"/>: <c>{"source": "whatsapp"}</c>
/// on <c>new_contact</c>) or <c>attribute.KEY</c>, a contact attribute. A value is a string, number, boolean or null,
/// compared with the field's or attribute's own type (<see cref="ValueMatches"/>); null means "absent". Pure.
/// </summary>
public sealed class EventConditions
{
    public const string AttributePrefix = "attribute.";

    private readonly (string Key, bool IsAttribute, JsonElement Expected)[] _conditions;

    private EventConditions((string, bool, JsonElement)[] conditions) => _conditions = conditions;

    public static EventConditions Always { get; } = new([]);

    /// <summary>Whether any condition names an attribute (the contact must then be read).</summary>
    public bool NeedsAttributes => _conditions.Any(c => c.IsAttribute);

    /// <summary>Parses conditions already checked by <see cref="Problems"/> (null or <c>{}</c>: always).</summary>
    public static EventConditions Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Always;
        }

        using var document = JsonDocument.Parse(json);
        return new([.. document.RootElement.EnumerateObject().Select(p =>
            p.Name.StartsWith(AttributePrefix, StringComparison.Ordinal)
                ? (p.Name[AttributePrefix.Length..], true, p.Value.Clone())
                : (p.Name, false, p.Value.Clone()))]);
    }

    /// <summary>What is wrong with conditions for <paramref name="eventType"/>, as (key, sentence); empty when fine.
    /// The shape (an object of scalars) is checked by <see cref="TriggerRules"/>.</summary>
    public static IEnumerable<(string Key, string Message)> Problems(string eventType, JsonElement conditions)
    {
        var fields = EventTriggerTypes.FieldsOf(eventType);
        foreach (var property in conditions.EnumerateObject())
        {
            if (property.Name.StartsWith(AttributePrefix, StringComparison.Ordinal))
            {
                if (!AttributeValues.IsValidKey(property.Name[AttributePrefix.Length..]))
                {
                    yield return (property.Name, $"'{property.Name}': an attribute key is 1-64 characters of A-Z a-z 0-9 _ . -");
                }
            }
            else if (!fields.Contains(property.Name))
            {
                yield return (property.Name,
                    $"'{property.Name}' is not a field of {eventType} events; use {string.Join(", ", fields)} or attribute.KEY.");
            }
        }
    }

    /// <summary>
    /// Whether every condition holds for an event with <paramref name="fields"/> and a contact whose attribute KEY is
    /// <paramref name="attribute"/>(KEY) (null: the contact has no such attribute).
    /// </summary>
    public bool Matches(IReadOnlyDictionary<string, JsonElement> fields, Func<string, AttributeValue?> attribute)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(attribute);
        foreach (var (key, isAttribute, expected) in _conditions)
        {
            JsonElement? actual = isAttribute
                ? attribute(key) is { } value ? AttributeValues.ToJson(value) : null
                : fields.TryGetValue(key, out var field) ? field : null;
            if (!ValueMatches(expected, actual))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// One comparison, by the type of the value found: null expects absence (or JSON null); a string value equals a string
    /// condition after NFKC normalisation and trimming, ignoring case, and a number or boolean condition by its JSON text;
    /// a number equals a number, or a string condition holding that number; a boolean equals a boolean, or the string
    /// <c>"true"</c>/<c>"false"</c>. Objects and arrays (json attributes) equal nothing but null-for-absent is false.
    /// </summary>
    public static bool ValueMatches(JsonElement expected, JsonElement? actual)
    {
        if (expected.ValueKind == JsonValueKind.Null)
        {
            return actual is null || actual.Value.ValueKind == JsonValueKind.Null;
        }

        if (actual is not { } value)
        {
            return false;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var expectedText = expected.ValueKind == JsonValueKind.String ? expected.GetString()! : expected.GetRawText();
                return string.Equals(KeywordText.Normalize(value.GetString()!), KeywordText.Normalize(expectedText), StringComparison.OrdinalIgnoreCase);
            case JsonValueKind.Number:
                var number = value.GetDouble();
                return expected.ValueKind switch
                {
                    JsonValueKind.Number => expected.GetDouble() == number,
                    JsonValueKind.String => AttributeValues.TryParseNumber(expected.GetString(), out var parsed) && parsed == number,
                    _ => false,
                };
            case JsonValueKind.True or JsonValueKind.False:
                var flag = value.ValueKind == JsonValueKind.True;
                return expected.ValueKind switch
                {
                    JsonValueKind.True or JsonValueKind.False => (expected.ValueKind == JsonValueKind.True) == flag,
                    JsonValueKind.String => string.Equals(expected.GetString()!.Trim(), flag ? "true" : "false", StringComparison.OrdinalIgnoreCase),
                    _ => false,
                };
            default:
                return false;
        }
    }
}
