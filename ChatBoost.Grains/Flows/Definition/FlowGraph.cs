namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Graph questions about a flow: what is reachable from the entry, and which loops have no wait node.</summary>
internal static class FlowGraph
{
    /// <summary>Every node reachable from <paramref name="entry"/> (itself included).</summary>
    public static HashSet<long> Reachable(long entry, IReadOnlyDictionary<long, List<long>> edges)
    {
        var seen = new HashSet<long> { entry };
        var pending = new Stack<long>([entry]);
        while (pending.TryPop(out var node))
        {
            foreach (var target in edges.GetValueOrDefault(node) ?? [])
            {
                if (seen.Add(target))
                {
                    pending.Push(target);
                }
            }
        }

        return seen;
    }

    /// <summary>
    /// The loops that can run without pausing: strongly connected components of the graph restricted to
    /// <paramref name="nodes"/> (the non-wait nodes) that have more than one node or an edge to themselves.
    /// Each loop's ids are sorted; loops are ordered by their smallest id. Iterative, so deep graphs cannot overflow the stack.
    /// </summary>
    public static List<List<long>> LoopsWithin(IReadOnlySet<long> nodes, IReadOnlyDictionary<long, List<long>> edges)
    {
        List<long> Out(long n) => (edges.GetValueOrDefault(n) ?? []).Where(nodes.Contains).ToList();

        // Kosaraju: order nodes by DFS finish time, then collect components on the reversed graph.
        var finished = new List<long>();
        var visited = new HashSet<long>();
        foreach (var start in nodes.Order())
        {
            if (!visited.Add(start))
            {
                continue;
            }

            var stack = new Stack<(long Node, int Next)>([(start, 0)]);
            while (stack.TryPop(out var frame))
            {
                var successors = Out(frame.Node);
                if (frame.Next < successors.Count)
                {
                    stack.Push((frame.Node, frame.Next + 1));
                    var child = successors[frame.Next];
                    if (visited.Add(child))
                    {
                        stack.Push((child, 0));
                    }
                }
                else
                {
                    finished.Add(frame.Node);
                }
            }
        }

        var reversed = nodes.ToDictionary(n => n, _ => new List<long>());
        foreach (var n in nodes)
        {
            foreach (var target in Out(n))
            {
                reversed[target].Add(n);
            }
        }

        var loops = new List<List<long>>();
        var assigned = new HashSet<long>();
        for (var i = finished.Count - 1; i >= 0; i--)
        {
            if (!assigned.Add(finished[i]))
            {
                continue;
            }

            var component = new List<long>();
            var pending = new Stack<long>([finished[i]]);
            while (pending.TryPop(out var n))
            {
                component.Add(n);
                foreach (var source in reversed[n].Where(assigned.Add))
                {
                    pending.Push(source);
                }
            }

            if (component.Count > 1 || Out(component[0]).Contains(component[0]))
            {
                component.Sort();
                loops.Add(component);
            }
        }

        return [.. loops.OrderBy(l => l[0])];
    }
}
