using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.Api.Contacts;

/// <summary>
/// <c>POST /flows/contacts/</c>: a contact of <c>bot_id</c> (in the bot's organization) with optional first attributes,
/// stored all or nothing. <c>opted_in</c> defaults to true. <c>first_name</c> and <c>last_name</c> (the seed's fields, used
/// by <c>{{contact.first_name}}</c>) may come with or instead of <c>name</c>; without <c>name</c> it is the two joined.
/// </summary>
public sealed class CreateContactRequest : IRequestBody
{
    public long? BotId { get; init; }

    public string? Phone { get; init; }

    public string? Name { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public bool? OptedIn { get; init; }

    public IReadOnlyList<ContactAttributeInput?>? Attributes { get; init; }

    public void Validate(ValidationErrors errors)
    {
        ContactValidation.PositiveId("bot_id", BotId, errors);
        ContactValidation.Phone("phone", Phone, errors);
        ContactValidation.Name(Name, errors);
        ContactValidation.PartName("first_name", FirstName, errors);
        ContactValidation.PartName("last_name", LastName, errors);
        if (Attributes is not null)
        {
            ContactValidation.AttributeList("attributes", Attributes, errors, minimum: 0);
        }
    }

    /// <summary>The contact grain's key: the phone's digits, without a leading <c>+</c>.</summary>
    public string PhoneDigits() => ContactValidation.Digits(Phone!);

    public CreateContactCommand ToCommand(long organizationId) => new(
        organizationId,
        string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
        OptedIn ?? true,
        [.. (Attributes ?? []).Select(a => a!.ToCommand())],
        ContactValidation.TrimmedOrNull(FirstName),
        ContactValidation.TrimmedOrNull(LastName));
}

/// <summary><c>PATCH /contacts/{contact_id}</c>: changes the name, first and last name and/or the opt-in; at least one of them.</summary>
public sealed class UpdateContactRequest : IRequestBody
{
    public string? Name { get; init; }

    public string? FirstName { get; init; }

    public string? LastName { get; init; }

    public bool? OptedIn { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (Name is null && FirstName is null && LastName is null && OptedIn is null)
        {
            errors.Add("$", "Send at least one of name, first_name, last_name, opted_in.");
        }

        foreach (var (field, value) in new[] { ("name", Name), ("first_name", FirstName), ("last_name", LastName) })
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                errors.Add(field, "Must not be blank.");
            }
        }

        ContactValidation.Name(Name, errors);
        ContactValidation.PartName("first_name", FirstName, errors);
        ContactValidation.PartName("last_name", LastName, errors);
    }

    public UpdateContactCommand ToCommand() => new(Name?.Trim(), OptedIn, FirstName?.Trim(), LastName?.Trim());
}

/// <summary>
/// <c>POST /contacts/{contact_id}/attributes</c>: one typed attribute. <c>value</c> is the value as text (<c>"25"</c>,
/// <c>"true"</c>, <c>"{\"a\": 1}"</c>, as in the seed) or a JSON number, boolean, object or array (taken as its JSON text);
/// it must convert to <c>value_type</c> (string, number, boolean or json; default string).
/// </summary>
public sealed class SetAttributeRequest : IRequestBody
{
    public string? Key { get; init; }

    public JsonElement Value { get; init; }

    public string? ValueType { get; init; }

    public void Validate(ValidationErrors errors) => ContactValidation.Attribute("", Key, Value, ValueType, errors);

    public SetAttributeCommand ToCommand() => new(Key!, ContactValidation.ValueText(Value), ContactValidation.TypeOrDefault(ValueType));
}

/// <summary><c>POST /contacts/{contact_id}/attributes/bulk</c>: 1 to 100 attributes with distinct keys, stored all or nothing.</summary>
public sealed class BulkSetAttributesRequest : IRequestBody
{
    public IReadOnlyList<ContactAttributeInput?>? Attributes { get; init; }

    public void Validate(ValidationErrors errors) => ContactValidation.AttributeList("attributes", Attributes, errors, minimum: 1);

    public IReadOnlyList<SetAttributeCommand> ToCommands() => [.. Attributes!.Select(a => a!.ToCommand())];
}

/// <summary>One attribute in a list: <c>{key, value, value_type}</c>, as <see cref="SetAttributeRequest"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ContactAttributeInput
{
    public string? Key { get; init; }

    public JsonElement Value { get; init; }

    public string? ValueType { get; init; }

    public SetAttributeCommand ToCommand() => new(Key!, ContactValidation.ValueText(Value), ContactValidation.TypeOrDefault(ValueType));
}

/// <summary>
/// A contact. <c>attributes</c> is present only when asked for (<c>GET /contacts/{contact_id}</c>) or just written
/// (<c>POST /flows/contacts/</c>).
/// </summary>
public sealed record ContactResponse(
    long Id,
    long BotId,
    long OrganizationId,
    string Phone,
    string? Name,
    string? FirstName,
    string? LastName,
    string? Username,
    bool OptedIn,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? LastInboundAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ContactAttributeResponse[]? Attributes)
{
    public static ContactResponse From(ContactView c, bool withAttributes = false) => new(
        c.Id, c.BotId, c.OrganizationId, c.Phone, c.Name, c.FirstName, c.LastName, c.Username, c.OptedIn, c.CreatedAt, c.UpdatedAt,
        c.LastInboundAt, withAttributes || c.Attributes is not null ? ContactAttributeResponse.From(c.Attributes ?? []) : null);
}

/// <summary>
/// A typed attribute: <c>value</c> is the canonical text, <c>typed_value</c> the same value as JSON of its type (a number,
/// a boolean, the parsed JSON, or a string).
/// </summary>
public sealed record ContactAttributeResponse(
    string Key,
    string Value,
    string ValueType,
    JsonElement TypedValue,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    public static ContactAttributeResponse From(AttributeView a) =>
        new(a.Key, a.Value, a.ValueType, ContactValidation.Typed(a.Value, a.ValueType), a.CreatedAt, a.UpdatedAt);

    public static ContactAttributeResponse[] From(IEnumerable<AttributeView> attributes) => [.. attributes.Select(From)];
}

/// <summary>The checks the contact and flow engine bodies share; every failure is a field-level 422.</summary>
internal static class ContactValidation
{
    public const int MinPhoneDigits = 5;
    public const int MaxPhoneDigits = 20;
    public const int MaxNameLength = 256;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 4096;
    public const int MaxAttributes = 100;

    /// <summary>A number, boolean or json value may be written longer than its canonical form (spaces), within reason.</summary>
    public const int MaxRawValueLength = 4 * MaxValueLength;

    public static readonly IReadOnlyList<string> ValueTypes = ["string", "number", "boolean", "json"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void PositiveId(string field, long? value, ValidationErrors errors)
    {
        if (value is not > 0)
        {
            errors.Add(field, value is null ? "This field is required." : "Must be a positive id.");
        }
    }

    /// <summary>A phone number in international format: 5 to 20 digits with an optional leading <c>+</c>.</summary>
    public static void Phone(string field, string? value, ValidationErrors errors)
    {
        if (errors.Required(field, value) && !IsPhone(value))
        {
            errors.Add(field, $"Must be a phone number in international format ({MinPhoneDigits} to {MaxPhoneDigits} digits, optional leading +).");
        }
    }

    public static bool IsPhone(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var digits = Digits(value);
        return digits.Length is >= MinPhoneDigits and <= MaxPhoneDigits && digits.All(char.IsAsciiDigit);
    }

    /// <summary>The digits of a phone that passed <see cref="IsPhone"/>: trimmed, without the one leading <c>+</c>.</summary>
    public static string Digits(string value)
    {
        var trimmed = value.Trim();
        return trimmed.StartsWith('+') ? trimmed[1..] : trimmed;
    }

    public const int MaxPartNameLength = 128;

    /// <summary><c>first_name</c> / <c>last_name</c>: at most 128 characters, no control characters.</summary>
    public static void PartName(string field, string? value, ValidationErrors errors)
    {
        errors.MaxLength(field, value?.Trim(), MaxPartNameLength);
        errors.NoControlCharacters(field, value);
        Storable(field, value, errors);
    }

    public static string? TrimmedOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static void Name(string? name, ValidationErrors errors)
    {
        errors.MaxLength("name", name?.Trim(), MaxNameLength);
        errors.NoControlCharacters("name", name);
        Storable("name", name, errors);
    }

    /// <summary>Attribute keys: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, 1 to 64 characters.</summary>
    public static bool IsKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    public static string TypeOrDefault(string? valueType) => valueType ?? "string";

    public static void Attribute(string prefix, string? key, JsonElement value, string? valueType, ValidationErrors errors)
    {
        if (errors.Required(prefix + "key", key) && !IsKey(key))
        {
            errors.Add(prefix + "key", $"Must be 1 to {MaxKeyLength} letters, digits, '_', '.' or '-'.");
        }

        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            errors.Add(prefix + "value", "This field is required.");
        }
        else
        {
            // The exact limit applies to the canonical value (the grain's rule): here only what can never fit.
            var text = ValueText(value);
            var limit = valueType is null or "string" ? MaxValueLength : MaxRawValueLength;
            if (text.Length > limit && text.EnumerateRunes().Count() > limit)
            {
                errors.Add(prefix + "value", $"Must be at most {MaxValueLength} characters.");
            }
            else
            {
                Storable(prefix + "value", text, errors, mayBeJson: true);
            }
        }

        if (valueType is not null && !ValueTypes.Contains(valueType))
        {
            errors.Add(prefix + "value_type", "Must be one of string, number, boolean, json.");
        }
    }

    public static void AttributeList(string field, IReadOnlyList<ContactAttributeInput?>? attributes, ValidationErrors errors, int minimum)
    {
        if (attributes is null || attributes.Count < minimum || attributes.Count > MaxAttributes)
        {
            errors.Add(field, $"Send {minimum} to {MaxAttributes} attributes.");
            return;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i] is not { } attribute)
            {
                errors.Add($"{field}[{i}]", "Must be an attribute object {key, value, value_type}.");
                continue;
            }

            Attribute($"{field}[{i}].", attribute.Key, attribute.Value, attribute.ValueType, errors);
            if (attribute.Key is not null && !keys.Add(attribute.Key))
            {
                errors.Add($"{field}[{i}].key", "Each key may appear once.");
            }
        }
    }

    /// <summary>A JSON string as its text; any other JSON value (number, boolean, object, array) as its compact JSON text.</summary>
    public static string ValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => JsonSerializer.Serialize(value),
    };

    /// <summary>The canonical text of an attribute as JSON of its type; the text itself when it does not parse.</summary>
    public static JsonElement Typed(string value, string valueType)
    {
        switch (valueType)
        {
            case "number":
                if (TryParseJson(value) is { ValueKind: JsonValueKind.Number } number)
                {
                    return number;
                }

                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    return JsonSerializer.SerializeToElement(d);
                }

                break;
            case "boolean":
                if (bool.TryParse(value.Trim(), out var b))
                {
                    return JsonSerializer.SerializeToElement(b);
                }

                break;
            case "json":
                if (TryParseJson(value) is { } json)
                {
                    return json;
                }

                break;
        }

        return JsonSerializer.SerializeToElement(value);
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, and UTF-8 cannot encode a lone surrogate: refused here as a 422 rather than
    /// failing in the database.
    /// </summary>
    public static void Storable(string field, string? value, ValidationErrors errors, bool mayBeJson = false)
    {
        if (value is not null && !IsStorable(value, mayBeJson))
        {
            errors.Add(field, "Must not contain U+0000 or unpaired surrogate characters.");
        }
    }

    /// <summary>With <paramref name="mayBeJson"/>, also refuses the JSON escape of U+0000, which jsonb cannot hold either.</summary>
    public static bool IsStorable(string value, bool mayBeJson = false)
    {
        if (value.Contains('\0', StringComparison.Ordinal) || (mayBeJson && value.Contains("\\u0000", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        try
        {
            _ = StrictUtf8.GetByteCount(value);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private static JsonElement? TryParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
