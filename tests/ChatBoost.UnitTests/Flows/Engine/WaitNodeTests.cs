using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class WaitNodeTests
{
    private static readonly FlowProgram DurationFlow = Program(
        Node(1, FlowNodeTypes.Wait, """{"duration": 5, "unit": "minutes", "next": 2}"""),
        SendText(2, "Still there?", null));

    private static readonly FlowProgram ReplyFlow = Program(
        Node(1, FlowNodeTypes.Wait,
            """{"until": "reply", "timeout": 24, "timeout_unit": "hours", "store_response_in": "state.answer", "next": 3, "timeout_path": 9}"""),
        SendText(3, "You said {{state.answer}}", null),
        SendText(9, "No answer", null));

    [Fact]
    public void AWaitForADurationSleepsUntilItsEnd()
    {
        var outcome = Start(DurationFlow);
        Assert.Equal(ExecutionStatus.Waiting, outcome.State.Status);
        Assert.Equal(1, outcome.State.CurrentNodeId);
        Assert.Equal(T0.AddMinutes(5), outcome.State.WakeAt);
        Assert.Null(outcome.State.PendingEffect);
        Assert.Empty(outcome.Effects);
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.Waiting);
        Assert.Equal("waiting 5 minutes, until 2026-01-15T09:35:00Z", log.Detail);
    }

    [Fact]
    public void FractionalDurationsAreHonoured()
    {
        var program = Program(Node(1, FlowNodeTypes.Wait, """{"duration": 1.5, "unit": "hours", "next": null}"""));
        Assert.Equal(T0.AddMinutes(90), Start(program).State.WakeAt);
    }

    [Fact]
    public void AnEarlyWakeUpChangesNothing()
    {
        var waiting = Start(DurationFlow).State;
        var outcome = Apply(DurationFlow, waiting, new WakeUpEvent(), T0.AddMinutes(4).AddSeconds(59));
        AssertUnchanged(waiting, outcome);
        Assert.Empty(outcome.Logs);
    }

    [Fact]
    public void AWakeUpAtOrAfterTheEndContinuesAtNextWithAFreshRun()
    {
        var waiting = Start(DurationFlow).State;
        foreach (var at in new[] { T0.AddMinutes(5), T0.AddHours(3) })
        {
            var outcome = Apply(DurationFlow, waiting, new WakeUpEvent(), at);
            Assert.Equal("Still there?", SentText(outcome));
            Assert.Equal(ExecutionStatus.Running, outcome.State.Status);
            Assert.Equal((2L, at, 1, 2), (outcome.State.CurrentNodeId!.Value, outcome.State.RunStartedAt, outcome.State.StepsThisRun, outcome.State.TotalSteps));
            Assert.Null(outcome.State.WakeAt);
            Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.WaitEnded && l.NodeId == 1);
        }
    }

    [Fact]
    public void DuplicateWakeUpsAreHarmless()
    {
        var woke = Apply(DurationFlow, Start(DurationFlow).State, new WakeUpEvent(), T0.AddMinutes(5));
        var again = Apply(DurationFlow, woke.State, new WakeUpEvent(), T0.AddMinutes(5));
        AssertUnchanged(woke.State, again);
        Assert.Empty(again.Logs);

        var done = Sent(DurationFlow, woke, T0.AddMinutes(5));
        AssertCompleted(done);
        var late = Apply(DurationFlow, done.State, new WakeUpEvent(), T0.AddMinutes(6));
        AssertUnchanged(done.State, late);
        Assert.Empty(late.Logs);
    }

    [Fact]
    public void AReplyDuringADurationWaitIsLeftToTheCaller()
    {
        var waiting = Start(DurationFlow).State;
        var outcome = Apply(DurationFlow, waiting, new ReplyEvent("hello"));
        AssertUnchanged(waiting, outcome);
        Assert.Empty(outcome.Logs);
    }

    [Fact]
    public void AWaitForAReplySetsItsTimeout()
    {
        var outcome = Start(ReplyFlow);
        Assert.Equal(ExecutionStatus.WaitingForReply, outcome.State.Status);
        Assert.Equal(T0.AddHours(24), outcome.State.WakeAt);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Waiting && l.Detail.Contains("state.answer", StringComparison.Ordinal));
    }

    [Fact]
    public void AReplyIsStoredAsAStringAndTheFlowContinuesAtNext()
    {
        var waiting = Start(ReplyFlow).State;
        var at = T0.AddHours(2);
        var outcome = Apply(ReplyFlow, waiting, new ReplyEvent("Yes \"please\""), at);
        Assert.Equal("\"Yes \\\"please\\\"\"", VariableJson(outcome.State, "answer"));
        Assert.Equal("You said Yes \"please\"", SentText(outcome));
        Assert.Equal((at, 1), (outcome.State.RunStartedAt, outcome.State.StepsThisRun));
        Assert.Null(outcome.State.WakeAt);
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.ReplyReceived);
        Assert.Equal(1, log.NodeId);
    }

    [Fact]
    public void TheDefaultReplyVariableIsUserResponse()
    {
        var program = Program(WaitReply(1, 2, null), SendText(2, "{{state.user_response}}", null));
        var outcome = Apply(program, Start(program).State, new ReplyEvent("pizza"));
        Assert.Equal("pizza", SentText(outcome));
        Assert.Equal("\"pizza\"", VariableJson(outcome.State, "user_response"));
    }

    [Fact]
    public void ALongReplyIsLoggedTruncated()
    {
        var program = Program(WaitReply(1, null, null));
        var reply = new string('r', 300);
        var outcome = Apply(program, Start(program).State, new ReplyEvent(reply));
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.ReplyReceived);
        Assert.Contains(new string('r', 100) + "…", log.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('r', 101), log.Detail, StringComparison.Ordinal);
        Assert.Equal(reply, outcome.State.Variables["user_response"].GetString());
        AssertCompleted(outcome);
    }

    [Fact]
    public void TheTimeoutFollowsTimeoutPath()
    {
        var waiting = Start(ReplyFlow).State;
        var early = Apply(ReplyFlow, waiting, new WakeUpEvent(), T0.AddHours(23));
        AssertUnchanged(waiting, early);

        var outcome = Apply(ReplyFlow, waiting, new WakeUpEvent(), T0.AddHours(24));
        Assert.Equal("No answer", SentText(outcome));
        Assert.Equal(9, outcome.State.CurrentNodeId);
        Assert.False(outcome.State.Variables.ContainsKey("answer"));
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.Timeout);
        Assert.Equal("no reply within 24 hours -> timeout_path (node 9)", log.Detail);

        var duplicate = Apply(ReplyFlow, outcome.State, new WakeUpEvent(), T0.AddHours(24));
        AssertUnchanged(outcome.State, duplicate);
    }

    [Fact]
    public void ANullTimeoutPathCompletesTheExecution()
    {
        var program = Program(WaitReply(1, 2, null), SendText(2, "thanks", null));
        var outcome = Apply(program, Start(program).State, new WakeUpEvent(), T0.AddHours(1));
        AssertCompleted(outcome);
        Assert.Empty(outcome.Effects);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Timeout && l.Detail.EndsWith("-> timeout_path (end)", StringComparison.Ordinal));
    }

    [Fact]
    public void ARepliedWaitIgnoresItsTimeoutAndFurtherReplies()
    {
        var program = Program(WaitReply(1, 2, 3), WaitSeconds(2, 3600, null), SendText(3, "timeout", null));
        var replied = Apply(program, Start(program).State, new ReplyEvent("hi"));
        Assert.Equal((ExecutionStatus.Waiting, 2L), (replied.State.Status, replied.State.CurrentNodeId!.Value));
        AssertUnchanged(replied.State, Apply(program, replied.State, new ReplyEvent("again")));
        AssertUnchanged(replied.State, Apply(program, replied.State, new WakeUpEvent(), T0.AddMinutes(59)));
    }

    [Fact]
    public void ResumeEndsADurationWaitNow()
    {
        var waiting = Start(DurationFlow).State;
        var at = T0.AddMinutes(1);
        var outcome = Apply(DurationFlow, waiting, new ResumeEvent(), at);
        Assert.Equal("Still there?", SentText(outcome));
        Assert.Equal(at, outcome.State.RunStartedAt);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Resumed && l.NodeId == 1);
    }

    [Fact]
    public void ResumeEndsAReplyWaitThroughTimeoutPath()
    {
        var outcome = Apply(ReplyFlow, Start(ReplyFlow).State, new ResumeEvent(), T0.AddMinutes(1));
        Assert.Equal("No answer", SentText(outcome));
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Resumed && l.Detail.Contains("timeout_path (node 9)", StringComparison.Ordinal));
    }
}
