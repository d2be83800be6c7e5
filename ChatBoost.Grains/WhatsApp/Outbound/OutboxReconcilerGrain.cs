using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>The outbox reconciler of the cluster: one activation (key 0), woken by a reminder every minute.</summary>
[Alias("chatboost.whatsapp.IOutboxReconcilerGrain")]
public interface IOutboxReconcilerGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the reminder exists (called at every silo start; idempotent).</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>One pass now (tests, operators).</summary>
    [Alias("RunOnce")]
    Task<ReconcileReport> RunOnceAsync();
}

/// <summary>
/// A thin shell over <see cref="OutboxReconciler"/>: the reminder makes the pass durable (it survives silo restarts and
/// moves with the activation), the grain's single activation keeps the passes from overlapping in the normal case.
/// </summary>
public sealed class OutboxReconcilerGrain(OutboxReconciler reconciler, ILogger<OutboxReconcilerGrain> logger) : Grain, IOutboxReconcilerGrain, IRemindable
{
    public const string ReminderName = "outbox-reconcile";

    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    public async Task StartAsync() => await this.RegisterOrUpdateReminder(ReminderName, Period, Period);

    public async Task<ReconcileReport> RunOnceAsync()
    {
        var report = await reconciler.RunOnceAsync();
        if (report is not { MarkedInDoubt: 0, Abandoned: 0, EarlyApplied: 0, EarlyPurged: 0 })
        {
            logger.LogInformation(
                "Outbox reconciled: {InDoubt} sending → in_doubt, {Abandoned} queued → failed (abandoned), {Applied} early statuses applied, {Purged} purged",
                report.MarkedInDoubt, report.Abandoned, report.EarlyApplied, report.EarlyPurged);
        }

        return report;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReminderName)
        {
            await RunOnceAsync();
        }
    }
}
