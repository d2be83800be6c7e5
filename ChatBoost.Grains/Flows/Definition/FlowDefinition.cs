namespace ChatBoost.Grains.Flows.Definition;

/// <summary>One node as stored: its id, type, optional display name and config as JSON text.</summary>
public sealed record FlowDefinitionNode(long Id, string Type, string? Name, string ConfigJson);

/// <summary>A flow as the validator sees it. The lead maps grain state to this.</summary>
public sealed record FlowDefinition(long? EntryNodeId, IReadOnlyList<FlowDefinitionNode> Nodes)
{
    /// <summary>
    /// The entry node: <see cref="EntryNodeId"/> when set, otherwise the first node created, which is the node with
    /// the smallest id (ids come from a sequence). Null for a flow without nodes.
    /// </summary>
    public long? ResolvedEntryNodeId => EntryNodeId ?? (Nodes.Count == 0 ? null : Nodes.Min(n => n.Id));
}
