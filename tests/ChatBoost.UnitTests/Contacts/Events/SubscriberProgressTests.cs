using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.UnitTests.Contacts.Events;

public class SubscriberProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void Back_off_doubles_per_failure_up_to_the_cap()
    {
        Assert.Equal(
            [0, 1, 2, 4, 8, 16, 30, 30],
            Enumerable.Range(0, 8).Select(n => RetryBackoff.Delay(n, First, Max).TotalSeconds).ToArray());
        Assert.Equal(Max, RetryBackoff.Delay(int.MaxValue, First, Max));
    }

    [Fact]
    public void A_failure_keeps_the_position_and_waits_a_success_moves_it_and_clears_the_wait()
    {
        var progress = new SubscriberProgress(new ContactEventPosition(10, 5));
        Assert.True(progress.IsDue(T0));

        Assert.Equal(First, progress.Failed(T0, First, Max));
        Assert.Equal(TimeSpan.FromSeconds(2), progress.Failed(T0, First, Max));
        Assert.Equal(2, progress.ConsecutiveFailures);
        Assert.False(progress.IsDue(T0.AddSeconds(1)));
        Assert.True(progress.IsDue(T0.AddSeconds(2)));
        Assert.Equal(new ContactEventPosition(10, 5), progress.Position);

        progress.Succeeded(new ContactEventPosition(11, 3));
        Assert.Equal((new ContactEventPosition(11, 3), 0, (DateTimeOffset?)null), (progress.Position, progress.ConsecutiveFailures, progress.RetryAt));
    }

    [Fact]
    public void Positions_order_by_transaction_then_id()
    {
        Assert.True(new ContactEventPosition(2, 1) > new ContactEventPosition(1, 99));
        Assert.True(new ContactEventPosition(2, 1) < new ContactEventPosition(2, 2));
        Assert.True(ContactEventPosition.Start < new ContactEventPosition(0, 1));
    }
}
