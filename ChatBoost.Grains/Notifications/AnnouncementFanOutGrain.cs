using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Notifications;

/// <summary>The walk's durable progress: the queued announcements (oldest first) and the last user id the head reached.</summary>
[GenerateSerializer, Alias("chatboost.notifications.AnnouncementFanOutState")]
public sealed class AnnouncementFanOutState
{
    [Id(0)] public List<AnnouncementFanOut> Queue { get; set; } = [];

    [Id(1)] public long After { get; set; }
}

/// <inheritdoc cref="IAnnouncementFanOutGrain"/>
/// <remarks>
/// The actor: one walker (key 0). Each timer turn delivers at most <see cref="PagesPerTurn"/> pages of
/// <see cref="Page"/> active users, writing the cursor after each page; the reminder (registered while anything is
/// queued) brings the walker back after a crash. A page delivered again because the crash came before its cursor was
/// written stores nothing twice: the inboxes claim <c>announcement:{id}</c> once per user.
/// </remarks>
public sealed class AnnouncementFanOutGrain(
    [PersistentState("announcementFanOut", "Default")] IPersistentState<AnnouncementFanOutState> state,
    AnnouncementStore store,
    ILogger<AnnouncementFanOutGrain> logger) : Grain, IAnnouncementFanOutGrain, IRemindable
{
    public const int Page = 200;
    public const int PagesPerTurn = 5;
    private const string ReminderName = "announcement-fan-out";
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TurnInterval = TimeSpan.FromMilliseconds(200);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(TurnAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TurnInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task EnqueueAsync(AnnouncementFanOut fanOut)
    {
        if (state.State.Queue.Any(q => q.AnnouncementId == fanOut.AnnouncementId))
        {
            return;
        }

        state.State.Queue.Add(fanOut);
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
    }

    public async Task<bool> StepAsync()
    {
        if (state.State.Queue.Count == 0)
        {
            return false;
        }

        var head = state.State.Queue[0];
        var users = await store.ActiveUsersAsync(state.State.After, Page);
        if (users.Count == 0)
        {
            state.State.Queue.RemoveAt(0);
            state.State.After = 0;
            await state.WriteStateAsync();
            logger.LogInformation("Announcement {AnnouncementId} reached every active user.", head.AnnouncementId);
            if (state.State.Queue.Count == 0 && await this.GetReminder(ReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return true;
        }

        var draft = NotificationAnnouncementGrain.Draft(head.AnnouncementId, head.Title, head.Body, null);
        await Task.WhenAll(users.Select(u => GrainFactory.GetGrain<INotificationInboxGrain>(u).DeliverAsync([draft])));
        state.State.After = users[^1];
        await state.WriteStateAsync();
        return true;
    }

    public Task<int> PendingAsync() => Task.FromResult(state.State.Queue.Count);

    // The reminder only re-activates the walker; its timer does the walking.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private async Task TurnAsync(CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; i < PagesPerTurn && !cancellationToken.IsCancellationRequested && await StepAsync(); i++)
            {
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "An announcement page could not be delivered; the walk retries it from its cursor at the next turn.");
        }
    }
}
