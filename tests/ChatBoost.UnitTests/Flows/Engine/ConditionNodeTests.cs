using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class ConditionNodeTests
{
    private static readonly FlowProgram Program = EngineKit.Program(
        Condition(1, "state.user_response", "==", "\"yes\"", 3, 4),
        SendText(3, "Great", null),
        SendText(4, "Maybe later", null));

    [Theory]
    [InlineData("""{"user_response":"YES"}""", "Great", "condition state.user_response == \"yes\" -> true_path (node 3)")]
    [InlineData("""{"user_response":"no"}""", "Maybe later", "condition state.user_response == \"yes\" -> false_path (node 4)")]
    [InlineData("{}", "Maybe later", "condition state.user_response == \"yes\" -> false_path (node 4)")]
    public void AConditionBranchesInsideTheRunAndLogsWhy(string variables, string sent, string detail)
    {
        var outcome = Start(Program, variablesJson: variables);
        Assert.Equal(sent, SentText(outcome));
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.Branch);
        Assert.Equal((1L, "condition", detail, StepLogLevels.Info), (log.NodeId!.Value, log.NodeType!, log.Detail, log.Level));
        Assert.Equal((2, 2), (outcome.State.StepsThisRun, outcome.State.TotalSteps));
    }

    [Fact]
    public void ANullBranchCompletesTheExecution()
    {
        var program = EngineKit.Program(Condition(1, "contact.attribute.vip", "is_set", null, 2, null), SendText(2, "VIP", null));
        var outcome = Start(program);
        AssertCompleted(outcome);
        Assert.Contains(outcome.Logs, l => l.Detail == "condition contact.attribute.vip is_set -> false_path (end)");
    }

    [Fact]
    public void AConditionSeesAttributesWithTheirTypes()
    {
        var program = EngineKit.Program(Condition(1, "contact.attribute.age", ">=", "18", 2, 3), SendText(2, "adult", null), SendText(3, "minor", null));
        Assert.Equal("adult", SentText(Start(program, Contact("Ana", ("age", "number", "21")))));
        Assert.Equal("minor", SentText(Start(program, Contact("Ana", ("age", "number", "17")))));
        Assert.Equal("minor", SentText(Start(program, Contact("Ana", ("age", "string", "twenty")))));
    }

    [Fact]
    public void AMissingPlaceholderInTheValueIsLoggedOnce()
    {
        var program = EngineKit.Program(Condition(1, "state.a", "in", "[\"{{state.gone}}\",\"{{state.gone}}\",\"x\"]", 2, 3),
            SendText(2, "in", null), SendText(3, "out", null));
        var outcome = Start(program, variablesJson: """{"a":"y"}""");
        Assert.Equal("out", SentText(outcome));
        var missing = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.PlaceholderMissing);
        Assert.Equal((StepLogLevels.Warning, 1L), (missing.Level, missing.NodeId!.Value));
        Assert.Contains("{{state.gone}}", missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConditionVariableItselfBeingMissingIsNotAPlaceholderWarning()
    {
        var outcome = Start(Program);
        Assert.DoesNotContain(outcome.Logs, l => l.Event == StepLogEvents.PlaceholderMissing);
    }
}
