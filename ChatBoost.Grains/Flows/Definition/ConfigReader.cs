using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>How a string field treats <c>{{ … }}</c>.</summary>
internal enum Placeholding
{
    /// <summary>Placeholders are allowed and checked for well-formedness.</summary>
    Allowed,

    /// <summary>The value is literal: any <c>{{</c> is reported as <c>placeholder_not_allowed</c>.</summary>
    Forbidden,

    /// <summary>Not looked at here: the caller checks the whole value itself (e.g. a bare variable reference).</summary>
    Unchecked,
}

/// <summary>
/// Reads the fields of one JSON object of a node config, reporting schema problems with their field path. Every field
/// that is read (or explicitly forbidden) counts as known; <see cref="ReportUnknownFields"/> reports the rest.
/// </summary>
internal sealed class ConfigReader
{
    private readonly JsonElement _object;
    private readonly ProblemSink _sink;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private ConfigReader(JsonElement obj, string path, ProblemSink sink)
    {
        _object = obj;
        Path = path;
        _sink = sink;
    }

    public string Path { get; }

    public ProblemSink Sink => _sink;

    /// <summary>A reader over <paramref name="element"/>, or null (and <c>invalid_type</c>) when it is not an object.</summary>
    public static ConfigReader? Open(JsonElement element, string path, ProblemSink sink)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return new ConfigReader(element, path, sink);
        }

        sink.Error(path, FlowProblemCodes.InvalidType, $"{path} must be a JSON object.");
        return null;
    }

    public string FieldPath(string name) => $"{Path}.{name}";

    /// <summary>The field's value, or null when it is absent or JSON null. Marks the field known.</summary>
    public JsonElement? Take(string name, bool required = false)
    {
        _known.Add(name);
        if (_object.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }

        if (required)
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.MissingField, $"{FieldPath(name)} is required.");
        }

        return null;
    }

    public bool Has(string name) => _object.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Reports <c>field_not_allowed</c> when the field is present (and not null).</summary>
    public void Forbid(string name, string reason)
    {
        if (Take(name) is not null)
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.FieldNotAllowed, $"{FieldPath(name)} is not allowed {reason}.");
        }
    }

    public string? String(string name, bool required, int? maxLength = null, Placeholding placeholders = Placeholding.Allowed,
        bool allowEmpty = false)
    {
        var value = Take(name, required);
        return value is null ? null : CheckString(value.Value, FieldPath(name), maxLength, placeholders, allowEmpty);
    }

    /// <summary>Checks one JSON string value: type, emptiness, length, placeholders. Null on a type error.</summary>
    public string? CheckString(JsonElement value, string field, int? maxLength, Placeholding placeholders, bool allowEmpty = false)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            _sink.Error(field, FlowProblemCodes.InvalidType, $"{field} must be a string.");
            return null;
        }

        var text = value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            _sink.Error(field, FlowProblemCodes.EmptyValue, $"{field} must not be empty.");
        }

        if (maxLength is not null && FlowLimits.TextLength(text) > maxLength)
        {
            _sink.Error(field, FlowProblemCodes.TooLong, $"{field} is longer than {maxLength} characters.");
        }

        if (placeholders == Placeholding.Forbidden && Placeholders.ContainsPlaceholder(text))
        {
            _sink.Error(field, FlowProblemCodes.PlaceholderNotAllowed, $"{field} must be literal: placeholders are not allowed.");
        }
        else if (placeholders == Placeholding.Allowed)
        {
            _sink.CheckPlaceholders(field, text);
        }

        return text;
    }

    /// <summary>A string that must be one of <paramref name="allowed"/> (case-sensitive).</summary>
    public string? Enum(string name, IReadOnlyList<string> allowed, bool required, string? defaultValue = null)
    {
        var value = Take(name, required);
        if (value is null)
        {
            return defaultValue;
        }

        if (value.Value.ValueKind == JsonValueKind.String && allowed.Contains(value.Value.GetString()!, StringComparer.Ordinal))
        {
            return value.Value.GetString();
        }

        _sink.Error(FieldPath(name), FlowProblemCodes.InvalidValue,
            $"{FieldPath(name)} must be one of: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}.");
        return null;
    }

    public bool? Bool(string name)
    {
        var value = Take(name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.Value.GetBoolean();
        }

        _sink.Error(FieldPath(name), FlowProblemCodes.InvalidType, $"{FieldPath(name)} must be true or false.");
        return null;
    }

    /// <summary>A JSON number that must be greater than zero.</summary>
    public double? PositiveNumber(string name, bool required)
    {
        var value = Take(name, required);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.InvalidType, $"{FieldPath(name)} must be a number.");
            return null;
        }

        if (number <= 0)
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.OutOfRange, $"{FieldPath(name)} must be greater than 0.");
            return null;
        }

        return number;
    }

    /// <summary>A JSON integer in [min, max].</summary>
    public int? Integer(string name, int min, int max)
    {
        var value = Take(name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetDecimal(out var number) || number != decimal.Truncate(number))
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.InvalidType, $"{FieldPath(name)} must be an integer.");
            return null;
        }

        if (number < min || number > max)
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.OutOfRange, $"{FieldPath(name)} must be between {min} and {max}.");
            return null;
        }

        return (int)number;
    }

    /// <summary>A branch: a node id (JSON integer) or absent/null, which ends the flow. Recorded for reference checks.</summary>
    public long? NodeRef(string name)
    {
        var value = Take(name);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt64(out var id))
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.InvalidType, $"{FieldPath(name)} must be a node id (an integer) or null.");
            return null;
        }

        _sink.References.Add((FieldPath(name), id));
        return id;
    }

    /// <summary>A nested object's reader, or null when absent (reported when required) or not an object.</summary>
    public ConfigReader? Object(string name, bool required)
    {
        var value = Take(name, required);
        return value is null ? null : Open(value.Value, FieldPath(name), _sink);
    }

    /// <summary>A JSON array's items, or null when absent (reported when required) or not an array.</summary>
    public IReadOnlyList<JsonElement>? Array(string name, bool required)
    {
        var value = Take(name, required);
        if (value is null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            _sink.Error(FieldPath(name), FlowProblemCodes.InvalidType, $"{FieldPath(name)} must be an array.");
            return null;
        }

        return [.. value.Value.EnumerateArray()];
    }

    /// <summary>A <c>state.NAME</c> target such as <c>store_response_in</c>: no nested path.</summary>
    public PlaceholderRef? StateTarget(string name, bool required, string? defaultValue = null)
    {
        var text = String(name, required, placeholders: Placeholding.Unchecked);
        text ??= defaultValue;
        if (text is null)
        {
            return null;
        }

        if (Placeholders.TryParseReference(text, out var reference, out _) && reference!.Kind == PlaceholderKind.State
            && reference.Path.Count == 0)
        {
            return reference;
        }

        _sink.Error(FieldPath(name), FlowProblemCodes.InvalidVariable,
            $"{FieldPath(name)} must be 'state.NAME' (a letter or '_' then letters, digits or '_', at most 64).");
        return null;
    }

    /// <summary>Marks every present field known: used when a discriminator such as <c>type</c> is invalid, so the
    /// fields that depend on it are not reported as unknown on top.</summary>
    public void AcceptRemainingFields()
    {
        foreach (var property in _object.EnumerateObject())
        {
            _known.Add(property.Name);
        }
    }

    /// <summary>Reports every property that no read or <see cref="Forbid"/> declared.</summary>
    public void ReportUnknownFields()
    {
        foreach (var property in _object.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                _sink.Error(FieldPath(property.Name), FlowProblemCodes.UnknownField, $"{FieldPath(property.Name)} is not a known field here.");
            }
        }
    }
}
