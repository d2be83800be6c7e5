using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The dispatcher of one shard of the event outlet: polls <c>contact_events</c> on a grain timer — at once while a
/// subscriber is a full batch behind, every <see cref="ContactEventOptions.BusyPollInterval"/> while events flow, every
/// <see cref="ContactEventOptions.IdlePollInterval"/> when idle — and hands each subscriber its next batch in order
/// (<see cref="ContactEventDelivery"/>). Each subscriber has its own position and back-off, so a failing one is retried
/// alone and the others go on. The positions are loaded from PostgreSQL on activation: a new activation after a crash
/// resumes exactly where the stored positions say.
/// </summary>
public sealed class ContactEventDispatcherGrain(
    ContactEventDelivery delivery,
    ContactEventSubscribers subscribers,
    IOptions<ContactEventOptions> options,
    TimeProvider time,
    ILogger<ContactEventDispatcherGrain> logger) : Grain, IContactEventDispatcherGrain, IRemindable
{
    private const string KeepAliveReminder = "contact-event-dispatch";
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromMinutes(1);

    private readonly ContactEventOptions _options = options.Value;
    private Dictionary<string, SubscriberProgress>? _progress;
    private IGrainTimer? _poll;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _poll = this.RegisterGrainTimer(PollAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task StartAsync() => await this.RegisterOrUpdateReminder(KeepAliveReminder, KeepAlivePeriod, KeepAlivePeriod);

    // The reminder's only job is to bring the activation back; the timer does the work.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var next = _options.IdlePollInterval;
        try
        {
            _progress ??= await LoadProgressAsync(cancellationToken);
            next = await PollSubscribersAsync(_progress, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Contact event shard {Shard}: could not read the subscribers' positions; retrying in {Delay}", Shard, next);
        }
        finally
        {
            _poll?.Change(next, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task<TimeSpan> PollSubscribersAsync(Dictionary<string, SubscriberProgress> progress, CancellationToken cancellationToken)
    {
        bool delivered = false, anyFull = false;
        DateTimeOffset? earliestRetry = null;
        foreach (var subscriber in subscribers.All)
        {
            var state = progress[subscriber.Name];
            if (state.IsDue(time.GetUtcNow()))
            {
                try
                {
                    var result = await delivery.DeliverAsync(Shard, subscriber, state.Position, _options.BatchSize, cancellationToken);
                    if (result.PositionMoved)
                    {
                        logger.LogWarning(
                            "Contact event shard {Shard}: the position of {Subscriber} was moved by another dispatcher; continuing from it", Shard, subscriber.Name);
                    }

                    state.Succeeded(result.Position);
                    delivered |= result.Delivered > 0;
                    anyFull |= result.BatchWasFull || result.PositionMoved;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var delay = state.Failed(time.GetUtcNow(), _options.FirstRetryDelay, _options.MaxRetryDelay);
                    logger.LogWarning(
                        e, "Contact event shard {Shard}: subscriber {Subscriber} failed ({Failures} in a row) after {Position}; retrying in {Delay}",
                        Shard, subscriber.Name, state.ConsecutiveFailures, state.Position, delay);
                }
            }

            if (state.RetryAt is { } retryAt && (earliestRetry is null || retryAt < earliestRetry))
            {
                earliestRetry = retryAt;
            }
        }

        return PollSchedule.NextDelay(new PollOutcome(delivered, anyFull, earliestRetry), time.GetUtcNow(), _options.BusyPollInterval, _options.IdlePollInterval);
    }

    private async Task<Dictionary<string, SubscriberProgress>> LoadProgressAsync(CancellationToken cancellationToken)
    {
        var stored = await delivery.ReadPositionsAsync(Shard, cancellationToken);
        return subscribers.All.ToDictionary(
            s => s.Name, s => new SubscriberProgress(stored.GetValueOrDefault(s.Name, ContactEventPosition.Start)), StringComparer.Ordinal);
    }
}
