using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.Outbound;

namespace ChatBoost.UnitTests.WhatsApp;

/// <summary>The outbox rule: what a call does with the row it finds, and which transitions exist.</summary>
public class OutboxStateMachineTests
{
    [Theory]
    [InlineData(OutboxState.Absent, OutboxStartAction.Attempt)]
    [InlineData(OutboxState.Queued, OutboxStartAction.Attempt)]
    [InlineData(OutboxState.Sending, OutboxStartAction.MarkInDoubt)]
    [InlineData(OutboxState.Sent, OutboxStartAction.ReturnRecorded)]
    [InlineData(OutboxState.Failed, OutboxStartAction.ReturnRecorded)]
    [InlineData(OutboxState.InDoubt, OutboxStartAction.ReturnRecorded)]
    public void Only_a_row_that_was_never_attempted_is_attempted(OutboxState found, OutboxStartAction expected) =>
        Assert.Equal(expected, OutboxStateMachine.OnStart(found));

    [Fact]
    public void The_transitions_are_exactly_the_documented_ones()
    {
        var all = Enum.GetValues<OutboxState>();
        var allowed = all.SelectMany(from => all.Where(to => OutboxStateMachine.CanMove(from, to)).Select(to => $"{from}→{to}")).Order().ToList();

        Assert.Equal(
            new[]
            {
                "InDoubt→Failed", "InDoubt→Sent", "Queued→Failed", "Queued→Sending", "Sending→Failed", "Sending→InDoubt", "Sending→Sent",
            }.Order(),
            allowed);
    }

    [Fact]
    public void Nothing_ever_moves_back_to_queued_or_sending_twice()
    {
        foreach (var from in Enum.GetValues<OutboxState>())
        {
            Assert.False(OutboxStateMachine.CanMove(from, OutboxState.Queued));
            Assert.False(OutboxStateMachine.CanMove(from, OutboxState.Absent));
            Assert.Equal(from == OutboxState.Queued, OutboxStateMachine.CanMove(from, OutboxState.Sending));
        }
    }

    [Fact]
    public void An_attempts_result_decides_sent_failed_or_in_doubt()
    {
        Assert.Equal(OutboxState.Sent, OutboxStateMachine.After(SendResult.Sent("wamid.1", 1)));
        Assert.Equal(OutboxState.InDoubt, OutboxStateMachine.After(SendResult.InDoubt("timeout", 1)));
        Assert.Equal(OutboxState.Failed, OutboxStateMachine.After(SendResult.Failed(
            new SendFailure(GraphErrorKind.PermanentRecipient, 131026, null, "undeliverable", null, 400, null, null), 1)));
    }

    [Theory]
    [InlineData("queued", OutboxState.Queued)]
    [InlineData("sending", OutboxState.Sending)]
    [InlineData("in_doubt", OutboxState.InDoubt)]
    [InlineData("failed", OutboxState.Failed)]
    [InlineData("sent", OutboxState.Sent)]
    [InlineData("delivered", OutboxState.Sent)]
    [InlineData("read", OutboxState.Sent)]
    public void Stored_statuses_parse_to_states(string status, OutboxState state) => Assert.Equal(state, OutboxStateMachine.Parse(status));

    [Fact]
    public void The_sql_sources_come_from_the_rule()
    {
        Assert.Equal("'sending', 'in_doubt'", OutboxStateMachine.SourcesSql(OutboxState.Sent));
        Assert.Equal("'queued'", OutboxStateMachine.SourcesSql(OutboxState.Sending));
    }

    [Fact]
    public void Results_map_to_the_apis_send_outcomes()
    {
        var id = Guid.NewGuid();
        Assert.Equal(SendStatus.Sent, new OutboundResult.Sent(id, "wamid.1").ToSendOutcome().Status);
        Assert.Equal(SendStatus.InDoubt, new OutboundResult.InDoubt(id, "timeout").ToSendOutcome().Status);
        var throttled = new OutboundResult.Throttled(id, DateTimeOffset.UtcNow.AddSeconds(3)).ToSendOutcome();
        Assert.Equal(SendStatus.Throttled, throttled.Status);
        Assert.InRange(throttled.RetryAfterSeconds!.Value, 1, 3);
        Assert.Equal(SendStatus.MetaUnavailable,
            new OutboundResult.Failed(id, 130429, GraphErrorKind.RetryableThroughput, "d", "m", true, 2).ToSendOutcome().Status);
        Assert.Equal(SendStatus.MetaRejected,
            new OutboundResult.Failed(id, 131026, GraphErrorKind.PermanentRecipient, "d", "m", false, null).ToSendOutcome().Status);
        var refused = new OutboundResult.Refused(id, SendStatus.BotNotFound, "Bot not found.").ToSendOutcome();
        Assert.Equal((SendStatus.BotNotFound, (Guid?)null), (refused.Status, refused.MessageId));
    }
}
