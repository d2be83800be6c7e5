namespace ChatBoost.Grains.Flows.Definition;

/// <summary>
/// Validates flow definitions. <see cref="ValidateNode"/> runs when one node is saved; <see cref="ValidateFlow"/> runs
/// on publish, which is refused while any problem has severity <c>error</c>. Unreachable nodes are errors (a published
/// flow holds no dead nodes); a loop without a wait node is a warning (the engine's step budget stops it).
/// </summary>
public static class FlowValidator
{
    /// <summary>One node on save: name, type, config schema, placeholders, and that its branches name nodes of the flow.</summary>
    public static IReadOnlyList<FlowProblem> ValidateNode(FlowDefinitionNode node, IReadOnlySet<long> nodeIdsInFlow) =>
        Check(node, nodeIdsInFlow).Problems;

    /// <summary>The whole flow for publish: every node, ids, entry node, reachability, loops and limits.</summary>
    public static IReadOnlyList<FlowProblem> ValidateFlow(FlowDefinition flow)
    {
        var problems = new List<FlowProblem>();
        if (flow.Nodes.Count > FlowLimits.MaxNodesPerFlow)
        {
            problems.Add(Error(null, "nodes", FlowProblemCodes.TooManyNodes,
                $"The flow has {flow.Nodes.Count} nodes; at most {FlowLimits.MaxNodesPerFlow} are allowed."));
        }

        var ids = new HashSet<long>();
        foreach (var node in flow.Nodes.Where(n => !ids.Add(n.Id)))
        {
            problems.Add(Error(node.Id, "id", FlowProblemCodes.DuplicateNodeId, $"Node id {node.Id} is used by more than one node."));
        }

        var edges = new Dictionary<long, List<long>>();
        var branchFields = new Dictionary<(long From, long To), string>();
        foreach (var node in flow.Nodes)
        {
            var check = Check(node, ids);
            problems.AddRange(check.Problems);
            var targets = edges.TryGetValue(node.Id, out var list) ? list : edges[node.Id] = [];
            foreach (var (field, target) in check.References.Where(r => ids.Contains(r.Target)))
            {
                targets.Add(target);
                branchFields.TryAdd((node.Id, target), field);
            }
        }

        var entry = flow.ResolvedEntryNodeId;
        if (entry is null)
        {
            problems.Add(Error(null, "entry_node_id", FlowProblemCodes.MissingEntryNode, "The flow has no nodes, so no entry node."));
        }
        else if (!ids.Contains(entry.Value))
        {
            problems.Add(Error(null, "entry_node_id", FlowProblemCodes.UnknownEntryNode, $"The entry node {entry} is not a node of this flow."));
        }
        else
        {
            var reachable = FlowGraph.Reachable(entry.Value, edges);
            foreach (var id in ids.Where(id => !reachable.Contains(id)).Order())
            {
                problems.Add(Error(id, "id", FlowProblemCodes.UnreachableNode, $"Node {id} cannot be reached from the entry node {entry}."));
            }
        }

        var nonWaitNodes = flow.Nodes.Where(n => n.Type != FlowNodeTypes.Wait).Select(n => n.Id).ToHashSet();
        foreach (var loop in FlowGraph.LoopsWithin(nonWaitNodes, edges))
        {
            var first = loop[0];
            var field = loop.Select(to => branchFields.GetValueOrDefault((first, to))).First(f => f is not null)!;
            problems.Add(new FlowProblem(FlowProblem.Warning, first, field, FlowProblemCodes.CycleWithoutWait,
                $"Nodes {string.Join(", ", loop)} form a loop with no wait node; an execution that enters it runs until the step budget stops it."));
        }

        return problems;
    }

    private static (List<FlowProblem> Problems, List<(string Field, long Target)> References) Check(
        FlowDefinitionNode node, IReadOnlySet<long> nodeIdsInFlow)
    {
        var problems = new List<FlowProblem>();
        var sink = new ProblemSink(node.Id, problems);
        if (node.Name is not null && FlowLimits.TextLength(node.Name) > FlowLimits.MaxNodeNameLength)
        {
            sink.Error("name", FlowProblemCodes.TooLong, $"name is longer than {FlowLimits.MaxNodeNameLength} characters.");
        }

        NodeConfigParser.Parse(node.Type, node.ConfigJson, sink);
        foreach (var (field, target) in sink.References.Where(r => !nodeIdsInFlow.Contains(r.Target)))
        {
            sink.Error(field, FlowProblemCodes.UnknownReference, $"{field}: node {target} is not a node of this flow.");
        }

        return (problems, sink.References);
    }

    private static FlowProblem Error(long? nodeId, string field, string code, string message) =>
        new(FlowProblem.Error, nodeId, field, code, message);
}
