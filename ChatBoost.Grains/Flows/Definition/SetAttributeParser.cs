using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatBoost.Grains.Flows.Definition;

internal static partial class SetAttributeParser
{
    public static SetAttributeConfig? Parse(ConfigReader config)
    {
        var key = config.String("attribute_key", required: true, FlowLimits.MaxAttributeKeyLength, Placeholding.Unchecked);
        if (key is { Length: > 0 } && FlowLimits.TextLength(key) <= FlowLimits.MaxAttributeKeyLength
            && !Placeholders.AttributeKeyPattern().IsMatch(key))
        {
            config.Sink.Error(config.FieldPath("attribute_key"), FlowProblemCodes.InvalidValue,
                "config.attribute_key may contain only A-Z, a-z, 0-9, '_', '.' and '-'.");
        }

        var value = config.String("attribute_value", required: true, allowEmpty: true);
        var valueType = config.Enum("value_type", AttributeValueTypes.All, required: false, AttributeValueTypes.String);
        var next = config.NodeRef("next");

        if (value is not null && valueType is not null && !Placeholders.ContainsPlaceholder(value) && !IsLiteralOf(value, valueType))
        {
            config.Sink.Error(config.FieldPath("attribute_value"), FlowProblemCodes.InvalidLiteral,
                $"config.attribute_value is not a valid {valueType} literal.");
        }

        return key is null || value is null || valueType is null ? null : new SetAttributeConfig(key, value, valueType, next);
    }

    /// <summary>Whether a literal (placeholder-free) value parses as its declared type. Also used by the engine after rendering.</summary>
    public static bool IsLiteralOf(string value, string valueType) => valueType switch
    {
        AttributeValueTypes.Number => JsonNumber().IsMatch(value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number),
        AttributeValueTypes.Boolean => value is "true" or "false",
        AttributeValueTypes.Json => IsJson(value),
        _ => true,
    };

    private static bool IsJson(string value)
    {
        try
        {
            using var _ = JsonDocument.Parse(value);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\z")]
    private static partial Regex JsonNumber();
}
