using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>Hands one subscriber the shard's next batch after a position (<see cref="ContactEventDelivery.DeliverAsync"/>).</summary>
public delegate Task<DeliveryResult> DeliverBatch(IContactEventSubscriberBase subscriber, ContactEventPosition from, CancellationToken cancellationToken);

/// <summary>
/// One shard's dispatch as its grain runs it, poll after poll: each subscriber's progress (position, failures, retry
/// time), one delivery per due subscriber per poll, and the pause before the next poll. Each subscriber is tried on its
/// own: one that throws is logged and backs off while the others go on. Holds no I/O of its own (the delivery is passed
/// in), so it is tested without a cluster or a database.
/// </summary>
public sealed class ShardDispatchLoop(
    int shard,
    IReadOnlyList<IContactEventSubscriberBase> subscribers,
    IReadOnlyDictionary<string, ContactEventPosition> storedPositions,
    DeliverBatch deliver,
    ContactEventOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly Dictionary<string, SubscriberProgress> _progress = subscribers.ToDictionary(
        s => s.Name, s => new SubscriberProgress(storedPositions.GetValueOrDefault(s.Name, ContactEventPosition.Start)), StringComparer.Ordinal);

    public SubscriberProgress ProgressOf(string subscriber) => _progress[subscriber];

    /// <summary>Delivers once to every subscriber that is due; returns the pause before the next poll.</summary>
    public async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        bool delivered = false, anyFull = false;
        DateTimeOffset? earliestRetry = null;
        foreach (var subscriber in subscribers)
        {
            var state = _progress[subscriber.Name];
            if (state.IsDue(time.GetUtcNow()))
            {
                try
                {
                    var result = await deliver(subscriber, state.Position, cancellationToken).ConfigureAwait(false);
                    if (result.PositionMoved)
                    {
                        logger.LogWarning(
                            "Contact event shard {Shard}: the position of {Subscriber} was moved by another dispatcher; continuing from it", shard, subscriber.Name);
                    }

                    state.Succeeded(result.Position);
                    delivered |= result.Delivered > 0;
                    anyFull |= result.BatchWasFull || result.PositionMoved;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var delay = state.Failed(time.GetUtcNow(), options.FirstRetryDelay, options.MaxRetryDelay);
                    logger.LogWarning(
                        e, "Contact event shard {Shard}: subscriber {Subscriber} failed ({Failures} in a row) after {Position}; retrying in {Delay}",
                        shard, subscriber.Name, state.ConsecutiveFailures, state.Position, delay);
                }
            }

            if (state.RetryAt is { } retryAt && (earliestRetry is null || retryAt < earliestRetry))
            {
                earliestRetry = retryAt;
            }
        }

        return PollSchedule.NextDelay(new PollOutcome(delivered, anyFull, earliestRetry), time.GetUtcNow(), options.BusyPollInterval, options.IdlePollInterval);
    }
}
