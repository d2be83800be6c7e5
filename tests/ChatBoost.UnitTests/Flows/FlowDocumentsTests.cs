using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Definition;
using System.Text.Json.Nodes;

namespace ChatBoost.UnitTests.Flows;

public class FlowDocumentsTests
{
    private static readonly FlowDefinitionNode Send = new(
        7, "send_message", "Greeting é", """{"message_type":"text","content":{"text":"Hi {{contact.first_name}} <b>"},"next":9}""");

    private static readonly FlowDefinitionNode Branch = new(
        9, "condition", null, """{"variable":"state.x","operator":"==","value":"yes","true_path":7,"false_path":null}""");

    [Fact]
    public void SnapshotRoundTripsEveryNodeInIdOrder()
    {
        var snapshot = FlowDocuments.Snapshot(9, [Branch, Send]);
        var (entry, nodes) = FlowDocuments.Read(snapshot);

        Assert.Equal(9, entry);
        Assert.Equal([7L, 9L], nodes.Select(n => n.Id));
        Assert.Equal("Greeting é", nodes[0].Name);
        Assert.Null(nodes[1].Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Send.ConfigJson), JsonNode.Parse(nodes[0].ConfigJson)));
        Assert.DoesNotContain(FlowValidator.ValidateFlow(new FlowDefinition(entry, nodes)), p => p.Severity == "error");
    }

    [Fact]
    public void SnapshotWithoutEntryNodeKeepsNull() =>
        Assert.Null(FlowDocuments.Read(FlowDocuments.Snapshot(null, [Send with { ConfigJson = """{"message_type":"text","content":{"text":"x"}}""" }])).EntryNodeId);

    [Fact]
    public void RemapRewritesEveryBranchAndLeavesNullBranchesAlone()
    {
        var map = new Dictionary<long, long> { [7] = 107, [9] = 109 };
        var remapped = JsonNode.Parse(FlowDocuments.RemapReferences(Branch.Type, Branch.ConfigJson, map))!;
        Assert.Equal(107, remapped["true_path"]!.GetValue<long>());
        Assert.Null(remapped["false_path"]);
        Assert.Equal("yes", remapped["value"]!.GetValue<string>());

        var send = JsonNode.Parse(FlowDocuments.RemapReferences(Send.Type, Send.ConfigJson, map))!;
        Assert.Equal(109, send["next"]!.GetValue<long>());
        Assert.Equal("Hi {{contact.first_name}} <b>", send["content"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void RemapLeavesANodeWithoutBranchesUnchanged()
    {
        const string config = """{"message_type":"text","content":{"text":"end"}}""";
        Assert.Equal(config, FlowDocuments.RemapReferences("send_message", config, new Dictionary<long, long>()));
    }

    [Fact]
    public void BranchesOfAnInvalidConfigAreEmpty() =>
        Assert.Empty(FlowDocuments.Branches("condition", """{"operator":"??"}"""));
}
