using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.Grains.Flows.Engine;

/// <summary>One node of a loaded program: its parsed, typed config.</summary>
public sealed record ProgramNode(long Id, string Type, string? Name, NodeConfig Config);

/// <summary>
/// A published flow version ready to run: every node parsed once. Built from the version's snapshot JSON
/// (<c>{"entry_node_id": …, "nodes": [{"id", "type", "name", "config"}]}</c>, see <see cref="FlowDocuments.Snapshot"/>).
/// </summary>
public sealed record FlowProgram(long FlowId, int Version, long EntryNodeId, IReadOnlyDictionary<long, ProgramNode> Nodes)
{
    /// <summary>
    /// Parses a published version. Throws <see cref="InvalidOperationException"/> when the document is not a flow
    /// snapshot, has no nodes, repeats a node id, names an entry node that is not in it, or when a node's config no
    /// longer parses (the message names the node and its first problem).
    /// </summary>
    public static FlowProgram Load(long flowId, int version, string definitionJson)
    {
        ArgumentNullException.ThrowIfNull(definitionJson);
        var what = $"flow {flowId} version {version}";
        long? entry;
        List<FlowDefinitionNode> nodes;
        try
        {
            (entry, nodes) = FlowDocuments.Read(definitionJson);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidOperationException($"{what}: the definition is not a flow document ({e.Message}).", e);
        }

        if (nodes.Count == 0)
        {
            throw new InvalidOperationException($"{what} has no nodes.");
        }

        var map = new Dictionary<long, ProgramNode>();
        foreach (var node in nodes)
        {
            var problems = new List<FlowProblem>();
            if (!NodeConfigParser.TryParse(node.Type, node.ConfigJson, out var config, problems, node.Id))
            {
                var first = problems.FirstOrDefault(p => p.IsError);
                var named = node.Name is null ? "" : $" '{node.Name}'";
                throw new InvalidOperationException(
                    $"{what}: node {node.Id}{named} ({node.Type}) no longer parses: "
                    + (first is null ? "invalid config." : $"{first.Field}: {first.Message}"));
            }

            if (!map.TryAdd(node.Id, new ProgramNode(node.Id, node.Type, node.Name, config!)))
            {
                throw new InvalidOperationException($"{what}: node id {node.Id} appears more than once.");
            }
        }

        var entryId = new FlowDefinition(entry, nodes).ResolvedEntryNodeId!.Value;
        if (!map.ContainsKey(entryId))
        {
            throw new InvalidOperationException($"{what}: the entry node {entryId} is not a node of the flow.");
        }

        return new FlowProgram(flowId, version, entryId, map);
    }
}
