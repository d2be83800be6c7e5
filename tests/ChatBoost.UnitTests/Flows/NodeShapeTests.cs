using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

/// <summary>Rules every node shares: known type, JSON config object, size and name limits, unknown fields, branch types.</summary>
public class NodeShapeTests
{
    [Fact]
    public void UnknownNodeType() => AssertSingleError("send_email", "{}", FlowProblemCodes.UnknownNodeType, "type");

    [Fact]
    public void NodeTypesAreCaseSensitive() => AssertSingleError("Wait", """{"duration": 1, "unit": "days"}""", FlowProblemCodes.UnknownNodeType, "type");

    [Fact]
    public void ConfigMustBeJson() => AssertSingleError(FlowNodeTypes.Wait, "{duration: 5", FlowProblemCodes.InvalidConfigJson, "config");

    [Fact]
    public void ConfigMustBeAnObject() => AssertSingleError(FlowNodeTypes.Wait, "[1]", FlowProblemCodes.InvalidType, "config");

    [Fact]
    public void ConfigOver16KilobytesIsRefused()
    {
        var text = new string('a', 4000);
        var config = $$"""{"message_type": "text", "content": {"text": "{{text}}"}, "padding": "{{new string('b', 13_000)}}"}""";
        AssertSingleError(FlowNodeTypes.SendMessage, config, FlowProblemCodes.ConfigTooLarge, "config");
    }

    [Fact]
    public void NameOver100CharactersIsRefused()
    {
        var problems = Validate(FlowNodeTypes.Wait, """{"duration": 1, "unit": "days"}""", new string('n', 101));
        var problem = Assert.Single(problems);
        Assert.Equal((FlowProblemCodes.TooLong, "name"), (problem.Code, problem.Field));
        Assert.Empty(Validate(FlowNodeTypes.Wait, """{"duration": 1, "unit": "days"}""", new string('n', 100)));
    }

    [Fact]
    public void UnknownConfigFieldsAreRefused() =>
        AssertSingleError(FlowNodeTypes.Wait, """{"duration": 1, "unit": "days", "colour": "red"}""", FlowProblemCodes.UnknownField, "config.colour");

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("2.5")]
    [InlineData("true")]
    [InlineData("{}")]
    public void BranchesMustBeIntegerNodeIds(string next) =>
        AssertSingleError(FlowNodeTypes.Wait, $$"""{"duration": 1, "unit": "days", "next": {{next}}}""", FlowProblemCodes.InvalidType, "config.next");

    [Fact]
    public void NullOrAbsentBranchEndsTheFlow()
    {
        AssertValid(FlowNodeTypes.Wait, """{"duration": 1, "unit": "days", "next": null}""");
        Assert.Equal([new NodeBranch("next", null)], Parse<WaitForDurationConfig>(FlowNodeTypes.Wait, """{"duration": 1, "unit": "days"}""").Branches);
    }

    [Fact]
    public void ParserReturnsNothingWhenThereIsAnError()
    {
        var problems = new List<FlowProblem>();
        Assert.False(NodeConfigParser.TryParse(FlowNodeTypes.Wait, """{"duration": 0, "unit": "days"}""", out var parsed, problems, 8));
        Assert.Null(parsed);
        Assert.Equal(8, Assert.Single(problems).NodeId);
    }
}
