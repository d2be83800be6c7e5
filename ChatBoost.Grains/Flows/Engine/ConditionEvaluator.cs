using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Evaluates a <c>condition</c> node exactly as docs/flows.md defines it. A variable that does not exist or is JSON
/// null is missing; apart from <c>!=</c> and <c>is_not_set</c> every operator is false on a missing variable.
/// </summary>
public static class ConditionEvaluator
{
    /// <summary>
    /// <paramref name="resolve"/> gives the variable's value (state values as stored, attributes typed, contact fields
    /// and <c>now</c> as strings; null when missing); <paramref name="render"/> renders the placeholders of string
    /// values before they are compared.
    /// </summary>
    public static bool Evaluate(ConditionConfig condition, Func<PlaceholderRef, JsonElement?> resolve, Func<string, string> render)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(render);
        var resolved = resolve(condition.Variable);
        JsonElement? variable = resolved is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } ? resolved : null;
        var caseSensitive = condition.CaseSensitive;
        switch (condition.Operator)
        {
            case ConditionOperators.IsSet:
                return IsSet(variable);
            case ConditionOperators.IsNotSet:
                return !IsSet(variable);
            case ConditionOperators.NotEqual:
                return !(variable is { } v && condition.Value is { } e && AreEqual(v, e, caseSensitive, render));
        }

        if (variable is not { } value || condition.Value is not { } expected)
        {
            return false;
        }

        return condition.Operator switch
        {
            ConditionOperators.Equal => AreEqual(value, expected, caseSensitive, render),
            ConditionOperators.GreaterThan => Compare(value, expected, render) is > 0,
            ConditionOperators.GreaterThanOrEqual => Compare(value, expected, render) is >= 0,
            ConditionOperators.LessThan => Compare(value, expected, render) is < 0,
            ConditionOperators.LessThanOrEqual => Compare(value, expected, render) is <= 0,
            ConditionOperators.Contains => Contains(value, expected, caseSensitive, render),
            ConditionOperators.StartsWith => TextMatch(value, expected, render, (text, needle) =>
                text.StartsWith(needle, Comparison(caseSensitive))),
            ConditionOperators.EndsWith => TextMatch(value, expected, render, (text, needle) =>
                text.EndsWith(needle, Comparison(caseSensitive))),
            ConditionOperators.In => expected.ValueKind == JsonValueKind.Array
                && expected.EnumerateArray().Any(item => AreEqual(value, item, caseSensitive, render)),
            _ => false,
        };
    }

    /// <summary>The variable exists, is not null and is not the empty string.</summary>
    private static bool IsSet(JsonElement? variable) =>
        variable is { } value && !(value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0);

    /// <summary>
    /// <c>==</c>: a number value compares numbers; a boolean value matches that boolean or the string true/false (any
    /// case); a string value (rendered) matches the variable as text.
    /// </summary>
    private static bool AreEqual(JsonElement variable, JsonElement expected, bool caseSensitive, Func<string, string> render)
    {
        if (variable.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return false;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                return FlowRendering.TryAsNumber(variable, out var left) && expected.TryGetDouble(out var right) && left == right;
            case JsonValueKind.True or JsonValueKind.False:
                return AsBoolean(variable) is { } flag && flag == (expected.ValueKind == JsonValueKind.True);
            case JsonValueKind.String:
                return string.Equals(FlowRendering.AsText(variable), render(expected.GetString()!), Comparison(caseSensitive));
            default:
                return false;
        }
    }

    private static bool? AsBoolean(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                return text.Equals("false", StringComparison.OrdinalIgnoreCase) ? false : null;
            default:
                return null;
        }
    }

    /// <summary>Both sides as numbers compared, or null when either is not a number (strings are never ordered).</summary>
    private static int? Compare(JsonElement variable, JsonElement expected, Func<string, string> render)
    {
        double right;
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number when expected.TryGetDouble(out right):
                break;
            case JsonValueKind.String when AttributeValues.TryParseNumber(render(expected.GetString()!), out right):
                break;
            default:
                return null;
        }

        return FlowRendering.TryAsNumber(variable, out var left) ? left.CompareTo(right) : null;
    }

    /// <summary>
    /// An array variable contains the value when one of its elements <c>==</c> it; any other variable when its text
    /// contains it. A value that renders to the empty string matches nothing.
    /// </summary>
    private static bool Contains(JsonElement variable, JsonElement expected, bool caseSensitive, Func<string, string> render)
    {
        if (expected.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var needle = render(expected.GetString()!);
        if (needle.Length == 0)
        {
            return false;
        }

        var comparison = Comparison(caseSensitive);
        if (variable.ValueKind == JsonValueKind.Array)
        {
            return variable.EnumerateArray().Any(item =>
                item.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                && string.Equals(FlowRendering.AsText(item), needle, comparison));
        }

        return FlowRendering.AsText(variable).Contains(needle, comparison);
    }

    private static bool TextMatch(JsonElement variable, JsonElement expected, Func<string, string> render, Func<string, string, bool> match)
    {
        if (expected.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var needle = render(expected.GetString()!);
        return needle.Length > 0 && match(FlowRendering.AsText(variable), needle);
    }

    private static StringComparison Comparison(bool caseSensitive) =>
        caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
}
