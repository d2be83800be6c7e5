using ChatBoost.Grains.Flows.Definition;

namespace ChatBoost.UnitTests.Flows;

/// <summary>Helpers shared by the flow-definition tests.</summary>
internal static class FlowTestKit
{
    /// <summary>Node ids that exist in the flow the single-node tests validate against.</summary>
    public static readonly IReadOnlySet<long> FlowIds = new HashSet<long> { 1, 2, 3, 4, 5, 6 };

    public static IReadOnlyList<FlowProblem> Validate(string type, string configJson, string? name = null) =>
        FlowValidator.ValidateNode(new FlowDefinitionNode(1, type, name, configJson), FlowIds);

    public static void AssertValid(string type, string configJson)
    {
        var problems = Validate(type, configJson);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Select(p => $"{p.Field} {p.Code}: {p.Message}")));
    }

    /// <summary>Asserts exactly one problem, with this code and field, of severity error, on node 1.</summary>
    public static void AssertSingleError(string type, string configJson, string code, string field)
    {
        var problems = Validate(type, configJson);
        var problem = Assert.Single(problems);
        Assert.Equal((code, field, FlowProblem.Error, (long?)1), (problem.Code, problem.Field, problem.Severity, problem.NodeId));
    }

    public static void AssertHasError(IReadOnlyList<FlowProblem> problems, string code, string field) =>
        Assert.Contains(problems, p => p.Code == code && p.Field == field && p.IsError);

    public static T Parse<T>(string type, string configJson) where T : NodeConfig
    {
        var problems = new List<FlowProblem>();
        Assert.True(NodeConfigParser.TryParse(type, configJson, out var parsed, problems), string.Join("\n", problems));
        return Assert.IsType<T>(parsed);
    }

    public static FlowDefinitionNode Node(long id, string type, string configJson) => new(id, type, null, configJson);

    public static FlowDefinitionNode Message(long id, long? next) =>
        Node(id, FlowNodeTypes.SendMessage,
            $$"""{"message_type":"text","content":{"text":"Step {{id}}"},"next":{{(next is null ? "null" : next)}}}""");
}
