using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.UnitTests.WhatsApp;

/// <summary>The pure slot scheduler behind the per-number rate limit grain, driven by a fake clock.</summary>
public class PhoneNumberRateTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    /// <summary>The most send times that fall in any closed window [t, t + 1 s].</summary>
    private static int MaxInAnyOneSecondWindow(IReadOnlyList<TimeSpan> sendTimes)
    {
        var sorted = sendTimes.OrderBy(t => t).ToArray();
        var max = 0;
        var start = 0;
        for (var end = 0; end < sorted.Length; end++)
        {
            while (sorted[end] - sorted[start] > OneSecond)
            {
                start++;
            }

            max = Math.Max(max, end - start + 1);
        }

        return max;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(80)]
    [InlineData(1000)]
    public void ABurstOf500AtOnceNeverExceedsTheRateInAnyOneSecondWindow(int rate)
    {
        var scheduler = new SendSlotScheduler(rate);
        var now = TimeSpan.FromSeconds(42);

        var sendTimes = Enumerable.Range(0, 500).Select(_ => now + scheduler.Reserve(now)).ToList();

        Assert.Equal(Math.Min(rate, 500), MaxInAnyOneSecondWindow(sendTimes));
        Assert.Equal(TimeSpan.Zero, sendTimes[0] - now);
        Assert.Equal(500, sendTimes.Distinct().Count());
        // Not needlessly slow either: 500 sends take (500 - 1) intervals of just over 1/rate second.
        var expected = TimeSpan.FromTicks(499 * (TimeSpan.TicksPerSecond / rate + 1));
        Assert.Equal(expected, sendTimes[^1] - now);
    }

    [Fact]
    public void RepeatedBurstsFromManyCallersWithAMovingClockNeverExceedTheRate()
    {
        const int rate = 80;
        var scheduler = new SendSlotScheduler(rate);
        var random = new Random(1234);
        var now = TimeSpan.Zero;
        var sendTimes = new List<TimeSpan>();

        // Bursts of up to 500 requests, arriving in clumps with irregular gaps (some longer than the backlog).
        for (var burst = 0; burst < 20; burst++)
        {
            var size = random.Next(1, 501);
            for (var i = 0; i < size; i++)
            {
                var delay = scheduler.Reserve(now);
                Assert.True(delay >= TimeSpan.Zero);
                sendTimes.Add(now + delay);
                if (random.Next(10) == 0)
                {
                    now += TimeSpan.FromMilliseconds(random.Next(0, 30));
                }
            }

            now += TimeSpan.FromMilliseconds(random.Next(0, 8000));
        }

        Assert.True(MaxInAnyOneSecondWindow(sendTimes) <= rate);
    }

    [Fact]
    public void AnIdleNumberGrantsAPermitAtOnce()
    {
        var scheduler = new SendSlotScheduler(80);

        Assert.Equal(TimeSpan.Zero, scheduler.Reserve(TimeSpan.FromSeconds(1)));
        Assert.Equal(scheduler.Interval, scheduler.Reserve(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.Zero, scheduler.Reserve(TimeSpan.FromSeconds(2)));
        Assert.True(scheduler.Interval > TimeSpan.FromSeconds(1) / 80);
    }

    [Fact]
    public void APauseHoldsBackEverySlotUntilItEnds()
    {
        var scheduler = new SendSlotScheduler(80);
        var now = TimeSpan.FromSeconds(10);
        scheduler.Reserve(now);

        scheduler.Pause(now, TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), scheduler.Reserve(now));
        Assert.Equal(TimeSpan.FromSeconds(2) + scheduler.Interval, scheduler.Reserve(now));
        // A shorter pause later never pulls reserved slots earlier.
        scheduler.Pause(now, TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromSeconds(2) + 2 * scheduler.Interval, scheduler.Backlog(now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ARateBelowOneIsRejected(int rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SendSlotScheduler(rate));

    [Fact]
    public void A_slot_past_the_callers_deadline_is_refused_and_not_reserved()
    {
        var scheduler = new SendSlotScheduler(10); // slots 100 ms apart
        var now = TimeSpan.FromSeconds(5);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(scheduler.TryReserve(now, TimeSpan.FromSeconds(1)).Granted);
        }

        var backlog = scheduler.Backlog(now);
        var refused = scheduler.TryReserve(now, TimeSpan.FromMilliseconds(250));

        Assert.False(refused.Granted);
        Assert.Equal(backlog, refused.Delay); // the earliest slot it could have had
        Assert.Equal(backlog, scheduler.Backlog(now)); // nothing reserved: the others are not pushed back
    }

    [Fact]
    public void A_slot_exactly_at_the_deadline_is_granted()
    {
        var scheduler = new SendSlotScheduler(10);
        var now = TimeSpan.FromSeconds(5);
        scheduler.Reserve(now);
        var slot = scheduler.TryReserve(now, scheduler.Interval);

        Assert.True(slot.Granted);
        Assert.Equal(scheduler.Interval, slot.Delay);
    }

    [Fact]
    public void Refusals_under_load_never_let_more_than_the_rate_through()
    {
        const int rate = 20;
        var scheduler = new SendSlotScheduler(rate);
        var random = new Random(99);
        var now = TimeSpan.Zero;
        var sendTimes = new List<TimeSpan>();
        int granted = 0, refused = 0;
        for (var i = 0; i < 2000; i++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 10));
            var slot = scheduler.TryReserve(now, TimeSpan.FromMilliseconds(random.Next(0, 500)));
            if (slot.Granted)
            {
                granted++;
                sendTimes.Add(now + slot.Delay);
            }
            else
            {
                refused++;
                Assert.True(slot.Delay > TimeSpan.Zero);
            }
        }

        Assert.True(refused > 0 && granted > 0, $"{granted} granted, {refused} refused");
        Assert.True(MaxInAnyOneSecondWindow(sendTimes) <= rate);
    }
}
