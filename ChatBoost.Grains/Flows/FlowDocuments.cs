using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.Grains.Flows;

/// <summary>
/// Pure helpers between stored flows and the validator: the snapshot document of a version or template
/// (<c>{"entry_node_id": …, "nodes": [{"id", "type", "name", "config"}]}</c>), problem views, branch references
/// and their remapping when a template is instantiated.
/// </summary>
public static class FlowDocuments
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Snapshot(long? entryNodeId, IEnumerable<FlowDefinitionNode> nodes)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (entryNodeId is { } entry)
            {
                writer.WriteNumber("entry_node_id", entry);
            }
            else
            {
                writer.WriteNull("entry_node_id");
            }

            writer.WriteStartArray("nodes");
            foreach (var node in nodes.OrderBy(n => n.Id))
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", node.Id);
                writer.WriteString("type", node.Type);
                writer.WriteString("name", node.Name);
                writer.WritePropertyName("config");
                writer.WriteRawValue(node.ConfigJson);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a snapshot back: (entry node id, nodes).</summary>
    public static (long? EntryNodeId, List<FlowDefinitionNode> Nodes) Read(string snapshot)
    {
        var root = JsonNode.Parse(snapshot)!.AsObject();
        var entry = root["entry_node_id"]?.GetValue<long>();
        var nodes = root["nodes"]!.AsArray().Select(n => new FlowDefinitionNode(
            n!["id"]!.GetValue<long>(), n["type"]!.GetValue<string>(), n["name"]?.GetValue<string>(), n["config"]!.ToJsonString(Compact))).ToList();
        return (entry, nodes);
    }

    public static ProblemView ToView(FlowProblem p) => new(p.Severity, p.NodeId, p.Field, p.Code, p.Message);

    public static List<ProblemView> ToViews(IEnumerable<FlowProblem> problems) => [.. problems.Select(ToView)];

    /// <summary>The branches of a valid node's config (none when it does not parse).</summary>
    public static IReadOnlyList<NodeBranch> Branches(string type, string configJson) =>
        NodeConfigParser.TryParse(type, configJson, out var parsed, []) ? parsed!.Branches : [];

    /// <summary>Rewrites every branch field of a valid config through <paramref name="map"/> (old id → new id).</summary>
    public static string RemapReferences(string type, string configJson, IReadOnlyDictionary<long, long> map)
    {
        var branches = Branches(type, configJson).Where(b => b.Target is not null).ToList();
        if (branches.Count == 0)
        {
            return configJson;
        }

        var config = JsonNode.Parse(configJson)!.AsObject();
        foreach (var branch in branches)
        {
            config[branch.Field] = map[branch.Target!.Value];
        }

        return config.ToJsonString(Compact);
    }
}
