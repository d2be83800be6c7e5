using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The dispatcher of one shard of the event outlet: a grain timer runs the shard's <see cref="ShardDispatchLoop"/> — at
/// once while a subscriber is a full batch behind, every <see cref="ContactEventOptions.BusyPollInterval"/> while events
/// flow, every <see cref="ContactEventOptions.IdlePollInterval"/> when idle — which hands the subscribers their next batch
/// in order through <see cref="ContactEventDelivery"/>, one read for all that stand at the same position. The positions
/// are loaded from PostgreSQL on the first poll of an activation: a new activation after a crash resumes exactly where
/// the stored positions say.
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

    private ShardDispatchLoop? _loop;
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
        var next = options.Value.IdlePollInterval;
        try
        {
            _loop ??= new ShardDispatchLoop(
                Shard,
                subscribers.All,
                await delivery.ReadPositionsAsync(Shard, cancellationToken),
                (group, from, ct) => delivery.DeliverGroupAsync(Shard, group, from, options.Value.BatchSize, ct),
                options.Value,
                time,
                logger);
            next = await _loop.PollAsync(cancellationToken);
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
}
