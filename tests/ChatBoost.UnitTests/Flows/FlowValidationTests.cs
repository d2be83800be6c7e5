using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class FlowValidationTests
{
    /// <summary>A sign-up flow that uses all five node types and every message type.</summary>
    public static FlowDefinition FullFlow() => new(1,
    [
        Node(1, FlowNodeTypes.SendMessage, """
            {"message_type": "interactive", "content": {
              "type": "button", "header": {"type": "text", "text": "Welcome"},
              "body": "Hi {{contact.first_name}}, join the club?", "footer": "Reply any time",
              "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No thanks"}]},
             "next": 2}
            """),
        Node(2, FlowNodeTypes.Wait, """
            {"until": "reply", "timeout": 1, "timeout_unit": "days", "store_response_in": "state.answer", "next": 3, "timeout_path": 9}
            """),
        Node(3, FlowNodeTypes.Condition, """
            {"variable": "state.answer", "operator": "in", "value": ["yes", "si"], "true_path": 4, "false_path": 9}
            """),
        Node(4, FlowNodeTypes.WebhookAction, """
            {"url": "https://crm.example.com/members/{{contact.phone}}?source=whatsapp", "method": "PUT",
             "headers": {"X-Api-Key": "k-123"}, "body": {"name": "{{contact.name}}", "joined": "{{now}}"},
             "timeout_seconds": 5, "store_response_in": "state.member", "next": 5, "error_path": 10}
            """),
        Node(5, FlowNodeTypes.SetAttribute, """
            {"attribute_key": "member_id", "attribute_value": "{{state.member.id}}", "value_type": "number", "next": 6}
            """),
        Node(6, FlowNodeTypes.SendMessage, """
            {"message_type": "media", "content": {"type": "image", "link": "https://cdn.example.com/card.png", "caption": "Your card"}, "next": 7}
            """),
        Node(7, FlowNodeTypes.Wait, """{"duration": 2, "unit": "hours", "next": 8}"""),
        Node(8, FlowNodeTypes.SendMessage, """
            {"message_type": "interactive", "content": {
              "type": "list", "body": "What interests you?", "button": "Topics",
              "sections": [
                {"title": "Food", "rows": [{"id": "pizza", "title": "Pizza", "description": "Fridays"}]},
                {"title": "Sport", "rows": [{"id": "run", "title": "Running"}]}]},
             "next": null}
            """),
        Node(9, FlowNodeTypes.SendMessage, """
            {"message_type": "template", "content": {"template_name": "maybe_later", "language_code": "en_US",
             "components": [{"type": "body", "parameters": [{"type": "text", "text": "{{contact.first_name}}"}]}]}}
            """),
        Node(10, FlowNodeTypes.SendMessage, """
            {"message_type": "text", "content": {"text": "Sorry, something went wrong."}}
            """),
    ]);

    [Fact]
    public void AFullFlowOfAllFiveNodeTypesIsValid()
    {
        var problems = FlowValidator.ValidateFlow(FullFlow());
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryNodeOfTheFullFlowParses()
    {
        foreach (var node in FullFlow().Nodes)
        {
            var problems = new List<FlowProblem>();
            Assert.True(NodeConfigParser.TryParse(node.Type, node.ConfigJson, out var parsed, problems, node.Id));
            Assert.Equal(node.Type, parsed!.NodeType);
        }
    }

    [Fact]
    public void ReferenceToANodeOutsideTheFlowIsReportedOnSave() =>
        Assert.Equal(
            [(FlowProblemCodes.UnknownReference, "config.next")],
            FlowValidator.ValidateNode(Message(1, 99), new HashSet<long> { 1 }).Select(p => (p.Code, p.Field)));

    [Fact]
    public void ReferenceToANodeOutsideTheFlowIsReportedOnPublish()
    {
        var problems = FlowValidator.ValidateFlow(new FlowDefinition(1, [Message(1, 42)]));
        var problem = Assert.Single(problems);
        Assert.Equal((FlowProblemCodes.UnknownReference, "config.next", (long?)1), (problem.Code, problem.Field, problem.NodeId));
    }

    [Fact]
    public void AnEmptyFlowHasNoEntryNode()
    {
        var problem = Assert.Single(FlowValidator.ValidateFlow(new FlowDefinition(null, [])));
        Assert.Equal((FlowProblemCodes.MissingEntryNode, "entry_node_id"), (problem.Code, problem.Field));
    }

    [Fact]
    public void AnEntryNodeOutsideTheFlowIsReported()
    {
        var problem = Assert.Single(FlowValidator.ValidateFlow(new FlowDefinition(7, [Message(1, null)])));
        Assert.Equal((FlowProblemCodes.UnknownEntryNode, "entry_node_id"), (problem.Code, problem.Field));
    }

    [Fact]
    public void WithoutAnEntryNodeIdTheFirstCreatedNodeIsTheEntry()
    {
        var flow = new FlowDefinition(null, [Message(5, 3), Message(3, null)]);
        Assert.Equal(3, flow.ResolvedEntryNodeId);
        var problem = Assert.Single(FlowValidator.ValidateFlow(flow));
        Assert.Equal((FlowProblemCodes.UnreachableNode, "id", (long?)5), (problem.Code, problem.Field, problem.NodeId));
    }

    [Fact]
    public void UnreachableNodesAreErrors()
    {
        var problems = FlowValidator.ValidateFlow(new FlowDefinition(1, [Message(1, 2), Message(2, null), Message(3, 2)]));
        var problem = Assert.Single(problems);
        Assert.Equal((FlowProblemCodes.UnreachableNode, "id", (long?)3, FlowProblem.Error),
            (problem.Code, problem.Field, problem.NodeId, problem.Severity));
    }

    [Fact]
    public void NodesReachedOnlyThroughATimeoutOrErrorPathAreReachable()
    {
        var flow = new FlowDefinition(1,
        [
            Node(1, FlowNodeTypes.Wait, """{"until": "reply", "timeout": 10, "timeout_unit": "minutes", "timeout_path": 2}"""),
            Node(2, FlowNodeTypes.WebhookAction, """{"url": "https://x.example", "error_path": 3}"""),
            Message(3, null),
        ]);
        Assert.Empty(FlowValidator.ValidateFlow(flow));
    }

    [Fact]
    public void DuplicateNodeIdsAreReported() =>
        AssertHasError(FlowValidator.ValidateFlow(new FlowDefinition(1, [Message(1, null), Message(1, null)])),
            FlowProblemCodes.DuplicateNodeId, "id");

    [Fact]
    public void MoreThanFiveHundredNodesAreRefused()
    {
        var nodes = Enumerable.Range(1, 501).Select(i => Message(i, i == 501 ? null : i + 1)).ToList();
        var problem = Assert.Single(FlowValidator.ValidateFlow(new FlowDefinition(1, nodes)));
        Assert.Equal((FlowProblemCodes.TooManyNodes, "nodes", (long?)null), (problem.Code, problem.Field, problem.NodeId));
    }

    [Fact]
    public void FiveHundredNodesAreAllowed()
    {
        var nodes = Enumerable.Range(1, 500).Select(i => Message(i, i == 500 ? null : i + 1)).ToList();
        Assert.Empty(FlowValidator.ValidateFlow(new FlowDefinition(1, nodes)));
    }

    [Fact]
    public void ALoopWithoutAWaitIsAWarning()
    {
        var flow = new FlowDefinition(1,
        [
            Message(1, 2),
            Node(2, FlowNodeTypes.Condition, """{"variable": "state.n", "operator": "<", "value": 3, "true_path": 3, "false_path": 4}"""),
            Node(3, FlowNodeTypes.SetAttribute, """{"attribute_key": "n", "attribute_value": "1", "value_type": "number", "next": 2}"""),
            Message(4, null),
        ]);
        var problem = Assert.Single(FlowValidator.ValidateFlow(flow));
        Assert.Equal((FlowProblemCodes.CycleWithoutWait, FlowProblem.Warning, (long?)2, "config.true_path"),
            (problem.Code, problem.Severity, problem.NodeId, problem.Field));
        Assert.Contains("2, 3", problem.Message);
    }

    [Fact]
    public void ANodeThatLeadsToItselfIsALoop()
    {
        var problem = Assert.Single(FlowValidator.ValidateFlow(new FlowDefinition(1, [Message(1, 1)])));
        Assert.Equal((FlowProblemCodes.CycleWithoutWait, FlowProblem.Warning, "config.next"), (problem.Code, problem.Severity, problem.Field));
    }

    [Fact]
    public void ALoopThroughAWaitIsFine()
    {
        var flow = new FlowDefinition(1,
        [
            Message(1, 2),
            Node(2, FlowNodeTypes.Wait, """{"duration": 1, "unit": "days", "next": 1}"""),
        ]);
        Assert.Empty(FlowValidator.ValidateFlow(flow));
    }

    [Fact]
    public void PublishListsEveryProblemAtOnce()
    {
        var flow = new FlowDefinition(1,
        [
            Node(1, "send_email", "{}"),
            Node(2, FlowNodeTypes.Wait, """{"duration": -1, "unit": "weeks"}"""),
        ]);
        var codes = FlowValidator.ValidateFlow(flow).Select(p => (p.NodeId, p.Code)).ToList();
        Assert.Contains(((long?)1, FlowProblemCodes.UnknownNodeType), codes);
        Assert.Contains(((long?)2, FlowProblemCodes.OutOfRange), codes);
        Assert.Contains(((long?)2, FlowProblemCodes.InvalidValue), codes);
        Assert.Contains(((long?)2, FlowProblemCodes.UnreachableNode), codes);
    }

    [Fact]
    public void ADeepChainDoesNotOverflowTheStack()
    {
        var nodes = Enumerable.Range(1, 20_000).Select(i => Message(i, i == 20_000 ? 1 : i + 1)).ToList();
        var problems = FlowValidator.ValidateFlow(new FlowDefinition(1, nodes));
        Assert.Contains(problems, p => p.Code == FlowProblemCodes.CycleWithoutWait);
        Assert.Contains(problems, p => p.Code == FlowProblemCodes.TooManyNodes);
    }
}
