using System.Text;
using System.Text.Json;

namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// Parses a node's JSON config into its typed <see cref="NodeConfig"/>, reporting every schema problem. The result is
/// null whenever an error was reported, so a non-null config is always complete and valid on its own (references to
/// other nodes are checked by <see cref="FlowValidator"/>).
/// </summary>
public static class NodeConfigParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>Parses config JSON text: size limit, JSON syntax, then the type's schema.</summary>
    public static bool TryParse(string type, string configJson, out NodeConfig? parsed, List<FlowProblem> problems, long? nodeId = null)
    {
        var sink = new ProblemSink(nodeId, problems);
        parsed = Parse(type, configJson, sink);
        return parsed is not null;
    }

    /// <summary>Parses an already parsed config object against the type's schema.</summary>
    public static bool TryParse(string type, JsonElement config, out NodeConfig? parsed, List<FlowProblem> problems, long? nodeId = null)
    {
        var sink = new ProblemSink(nodeId, problems);
        parsed = Parse(type, config, sink);
        return parsed is not null;
    }

    internal static NodeConfig? Parse(string type, string configJson, ProblemSink sink)
    {
        if (Encoding.UTF8.GetByteCount(configJson) > FlowLimits.MaxConfigBytes)
        {
            sink.Error("config", FlowProblemCodes.ConfigTooLarge, $"config is larger than {FlowLimits.MaxConfigBytes} bytes.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(configJson, DocumentOptions);
        }
        catch (JsonException e)
        {
            sink.Error("config", FlowProblemCodes.InvalidConfigJson, $"config is not valid JSON: {e.Message}");
            return null;
        }

        using (document)
        {
            return Parse(type, document.RootElement, sink);
        }
    }

    internal static NodeConfig? Parse(string type, JsonElement config, ProblemSink sink)
    {
        if (!FlowNodeTypes.IsKnown(type))
        {
            sink.Error("type", FlowProblemCodes.UnknownNodeType,
                $"'{type}' is not a node type; use one of: {string.Join(", ", FlowNodeTypes.All)}.");
            return null;
        }

        var reader = ConfigReader.Open(config, "config", sink);
        if (reader is null)
        {
            return null;
        }

        var errorsBefore = sink.ErrorCount;
        NodeConfig? parsed = type switch
        {
            FlowNodeTypes.SendMessage => SendMessageParser.Parse(reader),
            FlowNodeTypes.Wait => WaitParser.Parse(reader),
            FlowNodeTypes.Condition => ConditionParser.Parse(reader),
            FlowNodeTypes.WebhookAction => WebhookActionParser.Parse(reader),
            _ => SetAttributeParser.Parse(reader),
        };
        reader.ReportUnknownFields();
        return sink.ErrorCount == errorsBefore ? parsed : null;
    }

    /// <summary>Checks the placeholders of every string inside a free-form JSON value (body, template components).</summary>
    internal static void CheckJsonStrings(JsonElement element, string path, ProblemSink sink)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                sink.CheckPlaceholders(path, element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    CheckJsonStrings(property.Value, $"{path}.{property.Name}", sink);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckJsonStrings(item, $"{path}[{index++}]", sink);
                }

                break;
        }
    }
}
