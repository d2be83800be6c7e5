using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

internal static class ConditionParser
{
    public static ConditionConfig? Parse(ConfigReader config)
    {
        var variable = ParseVariable(config);
        var op = config.Enum("operator", ConditionOperators.All, required: true);
        var caseSensitive = config.Bool("case_sensitive") ?? false;
        var value = config.Take("value");
        if (op is not null)
        {
            CheckValue(config, op, value);
        }

        var truePath = config.NodeRef("true_path");
        var falsePath = config.NodeRef("false_path");
        return variable is null || op is null
            ? null
            : new ConditionConfig(variable, op, value?.Clone(), caseSensitive, truePath, falsePath);
    }

    private static PlaceholderRef? ParseVariable(ConfigReader config)
    {
        var text = config.String("variable", required: true, placeholders: Placeholding.Unchecked);
        if (text is null)
        {
            return null;
        }

        if (Placeholders.TryParseReference(text, out var reference, out var error))
        {
            return reference;
        }

        config.Sink.Error(config.FieldPath("variable"), FlowProblemCodes.InvalidVariable,
            $"config.variable must be a bare reference such as 'state.user_response' (no braces): {error!.Message}");
        return null;
    }

    private static void CheckValue(ConfigReader config, string op, JsonElement? value)
    {
        var field = config.FieldPath("value");
        var sink = config.Sink;
        if (ConditionOperators.IsPresenceTest(op))
        {
            if (value is not null)
            {
                sink.Error(field, FlowProblemCodes.FieldNotAllowed, $"{field} is not allowed with '{op}'.");
            }

            return;
        }

        if (value is null)
        {
            sink.Error(field, FlowProblemCodes.MissingField, $"{field} is required with '{op}'.");
            return;
        }

        var element = value.Value;
        if (op == ConditionOperators.In)
        {
            CheckInValues(element, field, sink);
        }
        else if (ConditionOperators.IsOrdering(op))
        {
            var templated = element.ValueKind == JsonValueKind.String && Placeholders.ContainsPlaceholder(element.GetString()!);
            if (element.ValueKind != JsonValueKind.Number && !templated)
            {
                sink.Error(field, FlowProblemCodes.InvalidType, $"{field} must be a number with '{op}'.");
            }
            else if (templated)
            {
                sink.CheckPlaceholders(field, element.GetString()!);
            }
        }
        else if (ConditionOperators.IsTextMatch(op))
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                sink.Error(field, FlowProblemCodes.InvalidType, $"{field} must be a string with '{op}'.");
            }
            else
            {
                config.CheckString(element, field, maxLength: null, Placeholding.Allowed);
            }
        }
        else
        {
            CheckScalar(element, field, sink, $"{field} must be a string, number or boolean with '{op}' (use is_set / is_not_set for null).");
        }
    }

    private static void CheckInValues(JsonElement element, string field, ProblemSink sink)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            sink.Error(field, FlowProblemCodes.InvalidType, $"{field} must be an array with 'in'.");
            return;
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            sink.Error(field, FlowProblemCodes.EmptyValue, $"{field} must list at least one value.");
        }
        else if (count > FlowLimits.MaxInValues)
        {
            sink.Error(field, FlowProblemCodes.TooManyItems, $"{field} lists more than {FlowLimits.MaxInValues} values.");
        }

        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemField = $"{field}[{index++}]";
            CheckScalar(item, itemField, sink, $"{itemField} must be a string, number or boolean.");
        }
    }

    private static void CheckScalar(JsonElement element, string field, ProblemSink sink, string message)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                sink.CheckPlaceholders(field, element.GetString()!);
                break;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                break;
            default:
                sink.Error(field, FlowProblemCodes.InvalidType, message);
                break;
        }
    }
}
