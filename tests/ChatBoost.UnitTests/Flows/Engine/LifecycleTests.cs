using System.Text.Json;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

/// <summary>Start, step budget, run timeout, recovery, cancel, resume, terminal states and variable limits.</summary>
public class LifecycleTests
{
    [Fact]
    public void StartRecordsTheStartAndKeepsInitialVariables()
    {
        var program = Program(WaitSeconds(1, 10, null));
        var outcome = Start(program, variablesJson: """{"source":"campaign","n":3}""");
        Assert.Equal((T0, T0), (outcome.State.StartedAt, outcome.State.RunStartedAt));
        Assert.Equal("\"campaign\"", VariableJson(outcome.State, "source"));
        var started = outcome.Logs[0];
        Assert.Equal((StepLogEvents.Started, StepLogLevels.Info, T0), (started.Event, started.Level, started.At));
        Assert.True(outcome.State.IsActive);
    }

    [Fact]
    public void AConditionLoopIsStoppedByTheStepBudget()
    {
        var program = Program(Condition(1, "state.x", "is_set", null, 2, 2), Condition(2, "state.x", "is_not_set", null, 1, 1));
        var outcome = Start(program);
        AssertFailed(outcome, 1, "step budget exceeded: 100 steps without a wait (the flow loops)");
        Assert.Equal((100, 100), (outcome.State.StepsThisRun, outcome.State.TotalSteps));
        Assert.Equal(100, outcome.Logs.Count(l => l.Event == StepLogEvents.Branch));
    }

    [Fact]
    public void TheBudgetCountsStepsSinceTheLastWaitOnly()
    {
        // 1 -> 2 -> 3 (wait) -> 1 ...: three steps per run never exhaust a budget of 3.
        var program = Program(Condition(1, "state.x", "is_set", null, 2, 2), SetAttribute(2, "k", "v", "string", 3), WaitSeconds(3, 1, 1));
        var limits = ExecutionLimits.Default with { MaxStepsPerRun = 3 };
        var outcome = Start(program, limits: limits);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal((ExecutionStatus.Waiting, 3), (outcome.State.Status, outcome.State.StepsThisRun));
            outcome = Apply(program, outcome.State, new WakeUpEvent(), T0.AddSeconds(i), limits: limits);
        }

        Assert.Equal(ExecutionStatus.Waiting, outcome.State.Status);
        Assert.Equal(18, outcome.State.TotalSteps);

        var tooSmall = Start(program, limits: limits with { MaxStepsPerRun = 2 });
        AssertFailed(tooSmall, 3, "step budget exceeded: 2 steps");
    }

    [Fact]
    public void ARunThatDoesNotReachAWaitInTimeFails()
    {
        var program = Program(SendText(1, "hi", 2), SendText(2, "again", null));
        var sending = Start(program).State;

        var inTime = Apply(program, sending, new SendCompletedEvent(true, null), T0.AddMinutes(30));
        Assert.Equal(ExecutionStatus.Running, inTime.State.Status);

        var late = Apply(program, sending, new SendCompletedEvent(true, null), T0.AddMinutes(30).AddSeconds(1));
        AssertFailed(late, 1, "the execution ran for more than 1800 s without waiting (FLOW_EXECUTION_TIMEOUT)");
        Assert.Empty(late.Effects);

        var recovered = Apply(program, sending, new RecoverEvent(), T0.AddHours(1));
        AssertFailed(recovered, 1, "FLOW_EXECUTION_TIMEOUT");
    }

    [Fact]
    public void CancelWinsOverTheRunTimeout()
    {
        var program = Program(SendText(1, "hi", null));
        var outcome = Apply(program, Start(program).State, new CancelEvent("bot deleted"), T0.AddDays(1));
        Assert.Equal(ExecutionStatus.Cancelled, outcome.State.Status);
    }

    [Fact]
    public void RecoverReissuesThePendingSend()
    {
        var program = Program(SetAttribute(1, "seen", "{{now}}", "string", 2), SendText(2, "Hello {{contact.first_name}} at {{now}}", null));
        var first = Start(program);
        var at = T0.AddMinutes(1);
        var recovered = Apply(program, first.State, new RecoverEvent(), at);

        var effect = SingleEffect<SendMessageEffect>(recovered);
        Assert.Equal(2, effect.NodeId);
        Assert.Equal("Hello Ana at 2026-01-15T09:31:00Z", SentText(recovered));
        Assert.Equal((ExecutionStatus.Running, PendingEffectKind.Send), (recovered.State.Status, recovered.State.PendingEffect!.Value));
        Assert.Equal((first.State.StepsThisRun, first.State.TotalSteps, T0), (recovered.State.StepsThisRun, recovered.State.TotalSteps, recovered.State.RunStartedAt));
        Assert.Contains(recovered.Logs, l => l.Event == StepLogEvents.Recovered && l.Level == StepLogLevels.Warning);
    }

    [Fact]
    public void RecoverReissuesThePendingWebhookCall()
    {
        var program = Program(Webhook(1, null));
        var recovered = Apply(program, Start(program).State, new RecoverEvent(), T0.AddSeconds(5));
        Assert.Equal(1, SingleEffect<CallWebhookEffect>(recovered).NodeId);
        Assert.Equal(PendingEffectKind.Webhook, recovered.State.PendingEffect);
    }

    [Fact]
    public void RecoverIsIgnoredWhenNoStepIsInFlight()
    {
        var program = Program(WaitSeconds(1, 60, null));
        var waiting = Start(program).State;
        var outcome = Apply(program, waiting, new RecoverEvent());
        AssertUnchanged(waiting, outcome);
        Assert.Equal(StepLogEvents.Ignored, Assert.Single(outcome.Logs).Event);
    }

    [Theory]
    [InlineData(ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Waiting)]
    [InlineData(ExecutionStatus.WaitingForReply)]
    public void CancelEndsEveryActiveStatus(ExecutionStatus status)
    {
        var program = Program(SendText(1, "hi", 2), WaitSeconds(2, 60, 3), WaitReply(3, null, null));
        var state = Start(program).State;
        if (status != ExecutionStatus.Running)
        {
            state = Sent(program, new StepOutcome(state, [], [])).State;
        }

        if (status == ExecutionStatus.WaitingForReply)
        {
            state = Apply(program, state, new WakeUpEvent(), T0.AddMinutes(1)).State;
        }

        Assert.Equal(status, state.Status);
        var at = T0.AddMinutes(2);
        var cancelled = Apply(program, state, new CancelEvent("stopped by an operator"), at);
        Assert.Equal(ExecutionStatus.Cancelled, cancelled.State.Status);
        Assert.Equal(at, cancelled.State.EndedAt);
        Assert.Null(cancelled.State.WakeAt);
        Assert.Null(cancelled.State.PendingEffect);
        Assert.False(cancelled.State.IsActive);
        Assert.Empty(cancelled.Effects);
        var log = Assert.Single(cancelled.Logs);
        Assert.Equal((StepLogEvents.Cancelled, "cancelled: stopped by an operator"), (log.Event, log.Detail));

        foreach (FlowEvent e in new FlowEvent[]
                 {
                     new ReplyEvent("x"), new WakeUpEvent(), new ResumeEvent(), new SendCompletedEvent(true, null),
                     new WebhookCompletedEvent(true, 200, null, null), new CancelEvent("again"), new RecoverEvent(),
                 })
        {
            AssertUnchanged(cancelled.State, Apply(program, cancelled.State, e, T0.AddDays(2)));
        }
    }

    [Fact]
    public void ACompletedExecutionIgnoresEverything()
    {
        var program = Program(SendText(1, "hi", null));
        var done = Sent(program, Start(program)).State;
        Assert.Equal(ExecutionStatus.Completed, done.Status);
        foreach (FlowEvent e in new FlowEvent[]
                 {
                     new ReplyEvent("x"), new WakeUpEvent(), new ResumeEvent(), new SendCompletedEvent(false, "x"),
                     new CancelEvent("late"), new RecoverEvent(), new StartEvent(Vars("{}")),
                 })
        {
            AssertUnchanged(done, Apply(program, done, e));
        }
    }

    [Fact]
    public void ResumeRetriesTheFailedNodeWithAFreshRun()
    {
        var program = Program(SendText(1, "hi", 2), SendText(2, "bye", null));
        var failed = Apply(program, Start(program).State, new SendCompletedEvent(false, "network down"));
        Assert.Equal(ExecutionStatus.Failed, failed.State.Status);

        var events = new FlowEvent[] { new ReplyEvent("x"), new WakeUpEvent(), new SendCompletedEvent(true, null), new RecoverEvent() };
        foreach (var e in events)
        {
            AssertUnchanged(failed.State, Apply(program, failed.State, e, T0.AddMinutes(1)));
        }

        var at = T0.AddHours(2);
        var retried = Apply(program, failed.State, new ResumeEvent(), at);
        Assert.Equal("hi", SentText(retried));
        Assert.Equal((ExecutionStatus.Running, 1L, at, 1), (retried.State.Status, retried.State.CurrentNodeId!.Value, retried.State.RunStartedAt, retried.State.StepsThisRun));
        Assert.Null(retried.State.Error);
        Assert.Null(retried.State.EndedAt);
        Assert.Equal(T0, retried.State.StartedAt);
        Assert.Contains(retried.Logs, l => l.Event == StepLogEvents.Resumed && l.Detail.Contains("network down", StringComparison.Ordinal));

        var done = Sent(program, Sent(program, retried, at), at);
        AssertCompleted(done);
    }

    [Fact]
    public void ResumeAfterAStepBudgetFailureGivesAFreshBudget()
    {
        var program = Program(Condition(1, "state.x", "is_not_set", null, 2, 3), Node(2, "set_attribute", """{"attribute_key":"k","attribute_value":"v","next":1}"""), SendText(3, "done", null));
        var failed = Start(program);
        AssertFailed(failed, 1, "step budget exceeded");
        Assert.Equal(100, failed.State.TotalSteps);
        var retried = Apply(program, failed.State, new ResumeEvent(), T0.AddMinutes(1));
        Assert.Equal(ExecutionStatus.Failed, retried.State.Status);
        Assert.Equal(200, retried.State.TotalSteps);
    }

    [Fact]
    public void ResumeWhileRunningIsIgnored()
    {
        var program = Program(SendText(1, "hi", null));
        var running = Start(program).State;
        var outcome = Apply(program, running, new ResumeEvent());
        AssertUnchanged(running, outcome);
        Assert.Equal(StepLogLevels.Warning, Assert.Single(outcome.Logs).Level);
    }

    [Fact]
    public void AReplyThatOverflowsTheVariablesFailsAndCanBeRetried()
    {
        var program = Program(WaitReply(1, null, null));
        var limits = ExecutionLimits.Default with { MaxVariablesBytes = 200 };
        var waiting = Start(program, limits: limits);
        var outcome = Apply(program, waiting.State, new ReplyEvent(new string('x', 500)), limits: limits);
        AssertFailed(outcome, 1, "after storing the reply in state.user_response, over the limit of 200 bytes");
        Assert.Empty(outcome.State.Variables);

        var retried = Apply(program, outcome.State, new ResumeEvent(), T0.AddMinutes(1), limits: limits);
        Assert.Equal(ExecutionStatus.WaitingForReply, retried.State.Status);
    }

    [Fact]
    public void OversizedInitialVariablesFailTheStart()
    {
        var program = Program(SendText(1, "hi", null));
        var outcome = Start(program, variablesJson: $$"""{"blob":"{{new string('x', 300)}}"}""", limits: ExecutionLimits.Default with { MaxVariablesBytes = 100 });
        Assert.Equal(ExecutionStatus.Failed, outcome.State.Status);
        Assert.Contains("the initial variables", outcome.State.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void VariablesRoundTripThroughTheirJsonText()
    {
        var variables = Vars("""{"a":"ü \"q\"","b":[1,2.50,{"c":null}],"d":true}""");
        var text = ExecutionSnapshot.SerializeVariables(variables);
        Assert.Equal("""{"a":"ü \"q\"","b":[1,2.50,{"c":null}],"d":true}""", text);
        var back = ExecutionSnapshot.DeserializeVariables(text);
        Assert.Equal(text, ExecutionSnapshot.SerializeVariables(back));
        Assert.Empty(ExecutionSnapshot.DeserializeVariables(null));
        Assert.Empty(ExecutionSnapshot.DeserializeVariables("  "));
        Assert.ThrowsAny<JsonException>(() => ExecutionSnapshot.DeserializeVariables("[1]"));
    }

    [Fact]
    public void TheDefaultLimits()
    {
        Assert.Equal(new ExecutionLimits(100, TimeSpan.FromMinutes(30), 256 * 1024), ExecutionLimits.Default);
    }
}
