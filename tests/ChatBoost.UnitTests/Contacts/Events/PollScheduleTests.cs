using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.UnitTests.Contacts.Events;

public class PollScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(false, false, 1000)]
    [InlineData(true, false, 100)]
    [InlineData(true, true, 0)]
    [InlineData(false, true, 0)]
    public void Polls_at_once_while_a_batch_was_full_soon_while_events_flow_and_slowly_when_idle(bool delivered, bool full, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), PollSchedule.NextDelay(new PollOutcome(delivered, full, null), Now, Busy, Idle));

    [Fact]
    public void A_failed_subscriber_due_sooner_brings_the_poll_forward_but_never_into_the_past()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(300), PollSchedule.NextDelay(new PollOutcome(false, false, Now.AddMilliseconds(300)), Now, Busy, Idle));
        Assert.Equal(TimeSpan.Zero, PollSchedule.NextDelay(new PollOutcome(false, false, Now.AddSeconds(-5)), Now, Busy, Idle));
        Assert.Equal(Busy, PollSchedule.NextDelay(new PollOutcome(true, false, Now.AddSeconds(30)), Now, Busy, Idle));
    }
}
