using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The sweeper of one shard: every <see cref="ContactEventOptions.SweepInterval"/> while active (a grain timer), and at
/// least once a minute (its reminder, which also brings it back after a crash), runs a <see cref="ContactSweep"/>. So
/// within a minute of the cluster being back, every contact with stranded durable work has been poked.
/// </summary>
public sealed class ContactSweeperGrain(ContactSweep sweep, IOptions<ContactEventOptions> options, ILogger<ContactSweeperGrain> logger)
    : Grain, IContactSweeperGrain, IRemindable
{
    private const string SweepReminder = "contact-sweep";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.SweepInterval;
        this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(TimeSpan.Zero, interval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task StartAsync() => await this.RegisterOrUpdateReminder(SweepReminder, ReminderPeriod, ReminderPeriod);

    // The reminder re-activates the grain, whose timer sweeps at once; an active grain's timer is already sweeping.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await sweep.SweepAsync(Shard, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Sweeper shard {Shard}: the sweep failed; the next one runs in {Interval}", Shard, options.Value.SweepInterval);
        }
    }
}
