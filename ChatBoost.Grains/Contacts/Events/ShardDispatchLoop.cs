using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// Hands a group of subscribers that stand at the same position the shard's next batch after it
/// (<see cref="ContactEventDelivery.DeliverGroupAsync"/>): one outcome per subscriber. Throwing fails the whole group.
/// </summary>
public delegate Task<IReadOnlyList<SubscriberDelivery>> DeliverBatch(
    IReadOnlyList<IContactEventSubscriberBase> subscribers, ContactEventPosition from, CancellationToken cancellationToken);

/// <summary>
/// One shard's dispatch as its grain runs it, poll after poll: each subscriber's progress (position, failures, retry
/// time), one delivery per poll to each group of due subscribers at the same position (in steady state all of them: one
/// read of the batch for all), and the pause before the next poll. Each subscriber's outcome is its own: one that throws
/// is logged and backs off while the others go on, and from then on stands at a position of its own, so its retries are
/// a group of their own. Holds no I/O of its own (the delivery is passed in), so it is tested without a cluster or a
/// database.
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

    /// <summary>Delivers once to every group of due subscribers; returns the pause before the next poll.</summary>
    public async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        bool delivered = false, anyFull = false;
        var now = time.GetUtcNow();
        var groups = subscribers.Where(s => _progress[s.Name].IsDue(now)).GroupBy(s => _progress[s.Name].Position).ToList();
        foreach (var group in groups)
        {
            IReadOnlyList<SubscriberDelivery> outcomes;
            try
            {
                outcomes = await deliver([.. group], group.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcomes = [.. group.Select(s => SubscriberDelivery.Failure(s, e))];
            }

            foreach (var outcome in outcomes)
            {
                var result = Apply(outcome);
                delivered |= result?.Delivered > 0;
                anyFull |= result is { BatchWasFull: true } or { PositionMoved: true };
            }
        }

        DateTimeOffset? earliestRetry = null;
        foreach (var state in _progress.Values)
        {
            if (state.RetryAt is { } retryAt && (earliestRetry is null || retryAt < earliestRetry))
            {
                earliestRetry = retryAt;
            }
        }

        return PollSchedule.NextDelay(new PollOutcome(delivered, anyFull, earliestRetry), time.GetUtcNow(), options.BusyPollInterval, options.IdlePollInterval);
    }

    /// <summary>Moves one subscriber's progress by its outcome; its result, or null when it failed.</summary>
    private DeliveryResult? Apply(SubscriberDelivery outcome)
    {
        var subscriber = outcome.Subscriber;
        var state = _progress[subscriber.Name];
        if (outcome.Result is not { } result)
        {
            var delay = state.Failed(time.GetUtcNow(), options.FirstRetryDelay, options.MaxRetryDelay);
            logger.LogWarning(
                outcome.Error, "Contact event shard {Shard}: subscriber {Subscriber} failed ({Failures} in a row) after {Position}; retrying in {Delay}",
                shard, subscriber.Name, state.ConsecutiveFailures, state.Position, delay);
            return null;
        }

        if (result.PositionMoved)
        {
            logger.LogWarning(
                "Contact event shard {Shard}: the position of {Subscriber} was moved by another dispatcher; continuing from it", shard, subscriber.Name);
        }

        state.Succeeded(result.Position);
        return result;
    }
}
