using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class FlowProgramTests
{
    [Fact]
    public void LoadsEveryNodeWithItsTypedConfig()
    {
        var program = Program(SendText(1, "Hi", 2), WaitSeconds(2, 5, 3), Condition(3, "state.x", "is_set", null, 4, null),
            Webhook(4, 5), SetAttribute(5, "age", "25", "number", null));
        Assert.Equal((7L, 3, 1L), (program.FlowId, program.Version, program.EntryNodeId));
        Assert.IsType<SendMessageConfig>(program.Nodes[1].Config);
        Assert.IsType<WaitForDurationConfig>(program.Nodes[2].Config);
        Assert.IsType<ConditionConfig>(program.Nodes[3].Config);
        Assert.IsType<WebhookActionConfig>(program.Nodes[4].Config);
        Assert.IsType<SetAttributeConfig>(program.Nodes[5].Config);
        Assert.Equal(FlowNodeTypes.WebhookAction, program.Nodes[4].Type);
    }

    [Fact]
    public void TheEntryNodeIsTheSmallestIdUnlessSet()
    {
        Assert.Equal(3, Program(SendText(9, "b", null), SendText(3, "a", 9)).EntryNodeId);
        Assert.Equal(9, ProgramWithEntry(9, SendText(9, "b", null), SendText(3, "a", 9)).EntryNodeId);
    }

    [Fact]
    public void AFlowWithoutNodesDoesNotLoad()
    {
        var e = Assert.Throws<InvalidOperationException>(() => FlowProgram.Load(7, 3, """{"entry_node_id":null,"nodes":[]}"""));
        Assert.Contains("has no nodes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANodeThatNoLongerParsesIsNamed()
    {
        var json = """{"entry_node_id":null,"nodes":[{"id":4,"type":"wait","name":"Pause","config":{"duration":-1,"unit":"minutes"}}]}""";
        var e = Assert.Throws<InvalidOperationException>(() => FlowProgram.Load(7, 3, json));
        Assert.Contains("node 4 'Pause' (wait)", e.Message, StringComparison.Ordinal);
        Assert.Contains("config.duration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownEntryNodeDoesNotLoad()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ProgramWithEntry(99, SendText(1, "a", null)));
        Assert.Contains("entry node 99", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"entry_node_id":null}""")]
    public void AMalformedDocumentDoesNotLoad(string json)
    {
        var e = Assert.Throws<InvalidOperationException>(() => FlowProgram.Load(7, 3, json));
        Assert.Contains("flow 7 version 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateNodeIdsDoNotLoad()
    {
        var json = """{"entry_node_id":null,"nodes":[{"id":1,"type":"wait","name":null,"config":{"duration":1,"unit":"seconds"}},{"id":1,"type":"wait","name":null,"config":{"duration":1,"unit":"seconds"}}]}""";
        Assert.Throws<InvalidOperationException>(() => FlowProgram.Load(7, 3, json));
    }

    [Fact]
    public void ABranchToANodeOutsideTheFlowFailsAtRunTime()
    {
        var program = Program(SendText(1, "a", 42));
        var sent = Sent(program, Start(program));
        AssertFailed(sent, 42, "node 42 is not part of flow 7 version 3");
    }
}
