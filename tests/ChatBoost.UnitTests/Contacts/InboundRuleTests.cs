using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.UnitTests.Contacts;

public class InboundRuleTests
{
    [Theory]
    [InlineData(ExecutionStatus.Running, true, true, InboundDecision.Hold)]
    [InlineData(ExecutionStatus.Running, false, false, InboundDecision.Hold)]
    [InlineData(ExecutionStatus.WaitingForReply, true, true, InboundDecision.DeliverReply)]
    [InlineData(ExecutionStatus.WaitingForReply, false, false, InboundDecision.DeliverReply)]
    [InlineData(ExecutionStatus.Waiting, true, true, InboundDecision.LogNotDelivered)]
    [InlineData(null, true, true, InboundDecision.StartDefaultFlow)]
    [InlineData(null, true, false, InboundDecision.ConsumeOnly)]
    [InlineData(null, false, true, InboundDecision.ConsumeOnly)]
    [InlineData(null, false, false, InboundDecision.ConsumeOnly)]
    public void EachStateTakesTheNextMessageOneWay(ExecutionStatus? status, bool optedIn, bool hasDefaultFlow, InboundDecision expected) =>
        Assert.Equal(expected, InboundRule.Decide(status, optedIn, hasDefaultFlow));

    [Theory]
    [InlineData(ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Failed)]
    [InlineData(ExecutionStatus.Cancelled)]
    public void AnEndedExecutionIsNoActiveExecution(ExecutionStatus ended) =>
        // The grain never holds an ended execution as its active one; if it did, the message must not be held forever.
        Assert.NotEqual(InboundDecision.Hold, InboundRule.Decide(ended, optedIn: true, hasDefaultFlow: true));

    [Fact]
    public void ConsumingMovesTheCursorForwardOnlyAndKeepsTheProfileName()
    {
        var now = DateTimeOffset.Parse("2026-12-01T10:00:00Z");
        var contact = new ContactRecord { Id = 1, InboundCursor = 40, Name = "Ana", StoredLastInboundAt = now.AddSeconds(-30), Version = 3 };
        var message = new PendingInbound(41, 1, "wamid.1", "text", "hi", null, "Ana Lima", now);
        var after = ContactUpdates.Consumed(contact, message, now, now);
        Assert.Equal(41, after.InboundCursor);
        Assert.Equal("Ana Lima", after.Name);
        Assert.Equal(now, after.UpdatedAt);
        Assert.Equal(contact.StoredLastInboundAt, after.StoredLastInboundAt); // refreshed at most once a minute
        Assert.Equal(3, after.Version); // the store bumps the version, under the fence

        var old = ContactUpdates.Consumed(after, message with { Id = 39, ProfileName = null }, now, now.AddMinutes(2));
        Assert.Equal(41, old.InboundCursor);
        Assert.Equal("Ana Lima", old.Name);
    }

    [Fact]
    public void TheListsLastInboundTimeIsRefreshedWhenAMinuteStale()
    {
        var now = DateTimeOffset.Parse("2026-12-01T10:00:00Z");
        var contact = new ContactRecord { Id = 1, StoredLastInboundAt = now.AddMinutes(-2) };
        var after = ContactUpdates.Consumed(contact, new PendingInbound(1, 1, "w", "text", null, null, null, now), now, now);
        Assert.Equal(now, after.StoredLastInboundAt);
    }

    [Fact]
    public void AReplyValueIsTheChosenIdElseTheTextElseEmpty()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.Equal("yes", new PendingInbound(1, 1, "w", "interactive", "Yes", "yes", null, at).ReplyValue);
        Assert.Equal("Yes", new PendingInbound(1, 1, "w", "text", "Yes", null, null, at).ReplyValue);
        Assert.Equal("", new PendingInbound(1, 1, "w", "image", null, null, null, at).ReplyValue);
    }
}
