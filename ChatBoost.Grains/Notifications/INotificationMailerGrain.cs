namespace ChatBoost.Grains.Notifications;

/// <summary>
/// Sends the queued notification e-mails (the <c>notification_mails</c> outbox): one activation in the cluster (key 0),
/// kept alive by a reminder, polling on a timer. A second activation (or a second key) is harmless: rows are taken under
/// a lease. Without SMTP it does nothing (and nothing is queued). Silo-only (it implements IRemindable), like the trigger log retention grain.
/// </summary>
public interface INotificationMailerGrain : IGrainWithIntegerKey, IRemindable
{
    /// <summary>Registers the reminder and starts the poll (idempotent; every silo calls it at start).</summary>
    Task StartAsync();

    /// <summary>Sends what is due now, batch after batch (bounded); returns how many mails the server took.</summary>
    Task<int> RunOnceAsync();
}
