namespace ChatBoost.Grains.Flows.Definition;

/// <summary>A branch of a node: the config field that holds it (e.g. <c>true_path</c>) and its target node, null = end.</summary>
public sealed record NodeBranch(string Field, long? Target);

/// <summary>A node's parsed, typed config. One subtype per node type (two for <c>wait</c>).</summary>
public abstract record NodeConfig
{
    /// <summary>The node type this config belongs to (<see cref="FlowNodeTypes"/>).</summary>
    public abstract string NodeType { get; }

    /// <summary>Every branch field of this node with its target, in a fixed order (the "happy" path first).</summary>
    public abstract IReadOnlyList<NodeBranch> Branches { get; }

    /// <summary>The distinct nodes this node can lead to.</summary>
    public IReadOnlyList<long> Successors =>
        Branches.Where(b => b.Target is not null).Select(b => b.Target!.Value).Distinct().ToList();
}
