using ChatBoost.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="INotificationMailerGrain"/>
/// <remarks>
/// The actor: the loop's owner. A reminder (every minute) keeps it activated and restarts the poll after a move; the poll
/// timer (<see cref="NotificationOptions.MailPollSeconds"/>) runs batches of <see cref="NotificationMailDispatcher"/> until
/// one comes back short. The grain is not reentrant, so the reminder and the timer never run a batch at once here; other
/// activations are kept apart by the rows' lease.
/// </remarks>
public sealed class NotificationMailerGrain(
    NotificationMailDispatcher dispatcher, IMailSender mail, IOptions<NotificationOptions> options, ILogger<NotificationMailerGrain> logger)
    : Grain, INotificationMailerGrain
{
    private const string ReminderName = "notification-mail";
    private const int MaxBatchesPerRun = 20;
    private IGrainTimer? _poll;

    public async Task StartAsync()
    {
        if (!mail.IsConfigured)
        {
            return;
        }

        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartPoll();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        StartPoll();
        await RunLoggedAsync();
    }

    public async Task<int> RunOnceAsync()
    {
        if (!mail.IsConfigured)
        {
            return 0;
        }

        var sent = 0;
        for (var i = 0; i < MaxBatchesPerRun; i++)
        {
            var batch = await dispatcher.RunBatchAsync(CancellationToken.None);
            sent += batch.Sent;
            if (batch.Taken < NotificationMailDispatcher.BatchSize)
            {
                break;
            }
        }

        return sent;
    }

    private void StartPoll()
    {
        if (options.Value.MailPollSeconds > 0)
        {
            var every = TimeSpan.FromSeconds(options.Value.MailPollSeconds);
            _poll ??= this.RegisterGrainTimer(_ => RunLoggedAsync(), new GrainTimerCreationOptions(every, every) { KeepAlive = true });
        }
    }

    private async Task RunLoggedAsync()
    {
        try
        {
            await RunOnceAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Notification mail run failed; its rows are taken again when their lease runs out");
        }
    }
}
