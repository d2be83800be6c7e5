namespace ChatBoost.Grains.Flows.Definition;

/// <summary>Collects the problems and node references found while reading one node's config.</summary>
internal sealed class ProblemSink(long? nodeId, List<FlowProblem> problems)
{
    public long? NodeId => nodeId;

    public List<FlowProblem> Problems => problems;

    /// <summary>Every branch field read, with its target: (field path, node id).</summary>
    public List<(string Field, long Target)> References { get; } = [];

    public int ErrorCount { get; private set; }

    public void Error(string field, string code, string message)
    {
        ErrorCount++;
        problems.Add(new FlowProblem(FlowProblem.Error, nodeId, field, code, message));
    }

    /// <summary>Reports every malformed placeholder of <paramref name="text"/>; returns the scan.</summary>
    public PlaceholderScan CheckPlaceholders(string field, string text)
    {
        var scan = Placeholders.Scan(text);
        foreach (var error in scan.Errors)
        {
            Error(field, error.Code, error.Message);
        }

        return scan;
    }
}
