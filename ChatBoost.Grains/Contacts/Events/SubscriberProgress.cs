namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// One subscriber's progress in one shard as its dispatcher holds it: the position it reached and, after failures, when
/// it may be tried again. Each subscriber has its own, so one that fails waits alone while the others go on.
/// </summary>
public sealed class SubscriberProgress(ContactEventPosition position)
{
    public ContactEventPosition Position { get; private set; } = position;

    /// <summary>Failures in a row since the last success.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Not before this time (after a failure); null when it may run now.</summary>
    public DateTimeOffset? RetryAt { get; private set; }

    public bool IsDue(DateTimeOffset now) => RetryAt is not { } at || at <= now;

    public void Succeeded(ContactEventPosition position)
    {
        Position = position;
        ConsecutiveFailures = 0;
        RetryAt = null;
    }

    /// <summary>Records a failure; returns the pause before the next attempt.</summary>
    public TimeSpan Failed(DateTimeOffset now, TimeSpan firstDelay, TimeSpan maxDelay)
    {
        ConsecutiveFailures++;
        var delay = RetryBackoff.Delay(ConsecutiveFailures, firstDelay, maxDelay);
        RetryAt = now + delay;
        return delay;
    }
}

/// <summary>Exponential back-off: the first delay after one failure, doubled per further failure, capped.</summary>
public static class RetryBackoff
{
    public static TimeSpan Delay(int consecutiveFailures, TimeSpan firstDelay, TimeSpan maxDelay)
    {
        if (consecutiveFailures < 1)
        {
            return TimeSpan.Zero;
        }

        // 2^20 times any sensible first delay is past any sensible cap; stopping there keeps the arithmetic in range.
        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 20));
        var ticks = Math.Min(firstDelay.Ticks * factor, maxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
