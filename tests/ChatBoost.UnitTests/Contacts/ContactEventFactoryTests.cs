using ChatBoost.Grains.Interfaces.WhatsApp;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.WhatsApp.Outbound;

namespace ChatBoost.UnitTests.Contacts;

public class ContactEventFactoryTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:00:00Z");

    private static readonly IReadOnlyDictionary<long, ProgramNode> Nodes = new Dictionary<long, ProgramNode>
    {
        [7] = new(7, "send_message", null, null!),
        [8] = new(8, "condition", null, null!),
    };

    private static StepOutcome Outcome(ExecutionStatus status, params long[] entered) =>
        new(new ExecutionSnapshot(status, entered.LastOrDefault(), new Dictionary<string, JsonElement>(), Now, Now, entered.Length, entered.Length,
            null, null, status == ExecutionStatus.Failed ? "boom" : null, status is ExecutionStatus.Completed or ExecutionStatus.Failed ? Now : null), [], [])
        {
            EnteredNodes = entered,
        };

    private static List<NewContactEvent> Step(bool started, bool wasActive, StepOutcome outcome) =>
        [.. ContactEventFactory.ForStep(1, 2, "491700000001", 0, 5, 1, "inbound", started, wasActive, outcome, Nodes, Now)];

    [Fact]
    public void AStartThatRunsToTheEndIsStartedEnteredCompleted()
    {
        var events = Step(started: true, wasActive: false, Outcome(ExecutionStatus.Completed, 8, 7));
        Assert.Equal([ContactEventTypes.FlowStarted, ContactEventTypes.NodeEntered, ContactEventTypes.NodeEntered, ContactEventTypes.FlowCompleted],
            events.Select(e => e.Type));
        Assert.Equal([8L, 7L], events.Where(e => e.Type == ContactEventTypes.NodeEntered).Select(e => e.NodeId!.Value));
        Assert.Contains("\"node_type\":\"condition\"", events[1].DataJson, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Null(e.ExecutionId)); // a new execution: the store fills in its id
    }

    [Fact]
    public void AFailureCarriesTheErrorAndTheNode()
    {
        var failed = Assert.Single(Step(started: false, wasActive: true, Outcome(ExecutionStatus.Failed)));
        Assert.Equal(ContactEventTypes.FlowFailed, failed.Type);
        Assert.Contains("boom", failed.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public void AStepThatStaysActiveEndsNothing() =>
        Assert.Empty(Step(started: false, wasActive: true, Outcome(ExecutionStatus.WaitingForReply)));

    [Fact]
    public void AStepOnAnEndedExecutionReportsNoSecondEnd() =>
        Assert.Empty(Step(started: false, wasActive: false, Outcome(ExecutionStatus.Completed)));

    [Fact]
    public void OutboxKeysAreDeterministicPerStepAndPerIdempotencyKey()
    {
        Assert.Equal(OutboundIds.ForFlowStep(12, 3), OutboundIds.ForFlowStep(12, 3));
        Assert.NotEqual(OutboundIds.ForFlowStep(12, 3), OutboundIds.ForFlowStep(12, 4));
        Assert.NotEqual(OutboundIds.ForFlowStep(12, 3), OutboundIds.ForFlowStep(13, 3));
        Assert.Equal(OutboundIds.ForApi(1, "4917", "order-9"), OutboundIds.ForApi(1, "4917", "order-9"));
        Assert.NotEqual(OutboundIds.ForApi(1, "4917", "order-9"), OutboundIds.ForApi(2, "4917", "order-9"));
        Assert.NotEqual(OutboundIds.ForApi(1, "4917", "order-9"), OutboundIds.ForApi(1, "4918", "order-9"));
    }
}
