namespace ChatBoost.Grains.Contacts.Events;

/// <summary>What one poll of a shard saw, across its subscribers.</summary>
/// <param name="Delivered">At least one subscriber received events.</param>
/// <param name="AnyBatchFull">At least one subscriber received a full batch: more are waiting.</param>
/// <param name="EarliestRetryAt">The soonest time a failed subscriber may be tried again, if any failed.</param>
public readonly record struct PollOutcome(bool Delivered, bool AnyBatchFull, DateTimeOffset? EarliestRetryAt);

/// <summary>
/// When a shard's dispatcher polls next: at once while a subscriber is behind by a full batch, after the short interval
/// while events flow, after the long one when idle — but never later than a failed subscriber's retry time.
/// </summary>
public static class PollSchedule
{
    public static TimeSpan NextDelay(PollOutcome outcome, DateTimeOffset now, TimeSpan busyInterval, TimeSpan idleInterval)
    {
        var delay = outcome.AnyBatchFull ? TimeSpan.Zero : outcome.Delivered ? busyInterval : idleInterval;
        if (outcome.EarliestRetryAt is { } retryAt)
        {
            var untilRetry = retryAt - now;
            if (untilRetry < delay)
            {
                delay = untilRetry < TimeSpan.Zero ? TimeSpan.Zero : untilRetry;
            }
        }

        return delay;
    }
}
