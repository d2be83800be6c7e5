using ChatBoost.Grains.Interfaces.Triggers;
using System.Text.Json;
using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Triggers;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.UnitTests.Triggers;

public class InboundRoutingTests
{
    [Theory]
    // (0) a running step holds everything, opt keywords included
    [InlineData(ExecutionStatus.Running, true, OptIntent.OptOut, true, true, true, InboundRoute.Hold)]
    // (1) opt keywords first
    [InlineData(null, true, OptIntent.OptOut, true, false, true, InboundRoute.OptOut)]
    [InlineData(ExecutionStatus.WaitingForReply, true, OptIntent.OptOut, false, false, true, InboundRoute.OptOut)]
    [InlineData(null, false, OptIntent.OptOut, false, false, true, InboundRoute.ConsumeOnly)] // already out
    [InlineData(null, false, OptIntent.OptIn, false, false, true, InboundRoute.OptIn)]
    [InlineData(ExecutionStatus.WaitingForReply, false, OptIntent.OptIn, false, false, true, InboundRoute.OptIn)]
    [InlineData(null, true, OptIntent.OptIn, false, false, true, InboundRoute.StartDefaultFlow)] // already in: an ordinary message
    // (2) a waiting execution takes the message, unless an interrupting trigger matches
    [InlineData(ExecutionStatus.WaitingForReply, true, null, true, false, true, InboundRoute.DeliverReply)]
    [InlineData(ExecutionStatus.WaitingForReply, true, null, true, true, true, InboundRoute.InterruptWaiting)]
    [InlineData(ExecutionStatus.Waiting, true, null, true, false, true, InboundRoute.LogNotDelivered)]
    [InlineData(ExecutionStatus.Waiting, true, null, true, true, true, InboundRoute.InterruptWaiting)]
    [InlineData(ExecutionStatus.WaitingForReply, false, null, true, true, true, InboundRoute.DeliverReply)] // opted out: never interrupts
    // (3) keyword triggers before (4) the default flow
    [InlineData(null, true, null, true, false, true, InboundRoute.StartKeywordTrigger)]
    [InlineData(null, true, null, true, false, false, InboundRoute.StartKeywordTrigger)]
    [InlineData(null, true, null, false, false, true, InboundRoute.StartDefaultFlow)]
    [InlineData(null, true, null, false, false, false, InboundRoute.ConsumeOnly)]
    [InlineData(null, false, null, true, false, true, InboundRoute.ConsumeOnly)] // opted out starts nothing
    public void ThePrecedenceIsOptKeywordsThenWaitingThenTriggersThenDefault(
        ExecutionStatus? active, bool optedIn, OptIntent? opt, bool matched, bool interrupts, bool hasDefault, InboundRoute expected) =>
        Assert.Equal(expected, InboundRouting.Decide(active, optedIn, opt, matched, interrupts, hasDefault));

    [Theory]
    [InlineData(null, true, null, true, true)]
    [InlineData(ExecutionStatus.WaitingForReply, true, null, true, true)] // an interrupting trigger may claim it
    [InlineData(ExecutionStatus.Running, true, null, true, false)]
    [InlineData(null, false, null, true, false)]
    [InlineData(null, true, OptIntent.OptOut, true, false)]
    [InlineData(null, true, null, false, false)] // not text
    public void TheTriggerSetIsAskedOnlyWhenItsAnswerCanMatter(ExecutionStatus? active, bool optedIn, OptIntent? opt, bool hasText, bool expected) =>
        Assert.Equal(expected, InboundRouting.NeedsTriggerLookup(active, optedIn, opt, hasText));

    [Theory]
    [InlineData("keyword:12", 12L)]
    [InlineData("event:7", 7L)]
    [InlineData("schedule:3", 3L)]
    [InlineData("inbound", null)]
    [InlineData("api", null)]
    [InlineData("keyword:", null)]
    [InlineData("keyword:-1", null)]
    [InlineData("other:5", null)]
    [InlineData(null, null)]
    public void AnExecutionNamesTheTriggerThatStartedIt(string? trigger, long? expected) =>
        Assert.Equal(expected, TriggerLogSubscriber.TriggerOf(trigger));

    [Fact]
    public void OnlyTriggerStartedExecutionsGetAStartedLine_OnePerExecution_InTriggerOrder()
    {
        ContactEvent Started(long id, long execution, string trigger) => new(id, ContactEventTypes.FlowStarted, 1, 2, "15550001", 3, null, execution, 40, null,
            DateTimeOffset.UnixEpoch, JsonSerializer.SerializeToElement(new { trigger, flow_version = 1 }));
        var lines = TriggerLogSubscriber.StartedLines(
        [
            Started(1, 100, "keyword:9"),
            Started(2, 101, "inbound"),
            Started(3, 102, "keyword:4"),
            new ContactEvent(4, ContactEventTypes.FlowCompleted, 1, 2, "15550001", 3, null, 100, 40, null, DateTimeOffset.UnixEpoch,
                JsonSerializer.SerializeToElement(new { trigger = "keyword:9" })),
        ]);
        Assert.Equal([4L, 9L], lines.Select(l => l.TriggerId));
        Assert.All(lines, l => Assert.Equal(TriggerLogEvents.Started, l.Event));
        Assert.Equal(["execution:102", "execution:100"], lines.Select(l => l.SourceKey));
        Assert.Equal([102L, 100L], lines.Select(l => l.ExecutionId!.Value));
    }
}
