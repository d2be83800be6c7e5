using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="INotificationInboxGrain"/>
/// <remarks>
/// The actor: one user's turn-by-turn writer. The decision is <see cref="InboxDeliveryPlan"/> (preferences, coalescing),
/// the SQL is <see cref="NotificationInboxStore"/> (which also queues the e-mails, when SMTP is configured, in the same
/// transaction; <see cref="NotificationMailerGrain"/> sends them); the grain holds the unread count, the latest id, the open
/// coalescing windows and the observers, and pushes only after the commit.
/// </remarks>
public sealed class NotificationInboxGrain(
    [PersistentState("notificationInbox", "Default")] IPersistentState<NotificationInboxState> state,
    NotificationInboxStore store,
    IMailSender mail,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationInboxGrain> logger) : Grain, INotificationInboxGrain
{
    private readonly ObserverManager<INotificationObserver> _observers = new(INotificationInboxGrain.ObserverExpiry, logger);
    private readonly NotificationCoalescer _coalescer = new();
    private long _unread;
    private long _latestId;

    private long UserId => this.GetPrimaryKeyLong();

    private NotificationPreferences Preferences => state.State.Preferences ?? NotificationPreferences.Defaults;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        (_unread, _latestId) = await store.LoadAsync(UserId, time.GetUtcNow());

    public async Task<IReadOnlyList<Notification>> DeliverAsync(IReadOnlyList<NotificationDraft> drafts)
    {
        if (drafts.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var preferences = Preferences;
        var schedule = mail.IsConfigured
            ? new MailSchedule(preferences.Digest, NotificationMailRules.DueAt(now, preferences.Digest, options.Value.DigestPeriod))
            : null;
        var (inserted, folded) = await store.DeliverAsync(UserId, drafts, fresh => InboxDeliveryPlan.Make(preferences, _coalescer, fresh, now), schedule);
        foreach (var (row, planned) in inserted)
        {
            _coalescer.Opened(planned.Draft.CoalesceKey, row.Id, now);
            _latestId = Math.Max(_latestId, row.Position);
        }

        foreach (var (row, _) in folded)
        {
            _latestId = Math.Max(_latestId, row.Position);
        }

        _unread += inserted.Count;
        foreach (var (row, planned) in inserted.Where(i => i.Planned.Push))
        {
            await _observers.Notify(o => o.OnNotificationAsync(row, updated: false));
        }

        foreach (var (row, planned) in folded.Where(f => f.Planned.Push))
        {
            await _observers.Notify(o => o.OnNotificationAsync(row, updated: true));
        }

        return [.. inserted.Select(i => i.Row).Concat(folded.Select(f => f.Row)).OrderBy(n => n.Id)];
    }

    public Task<long> GetUnreadCountAsync() => Task.FromResult(_unread);

    public async Task<bool> MarkReadAsync(long notificationId)
    {
        var found = await store.MarkReadAsync(UserId, notificationId) > 0;
        _coalescer.Close(notificationId);
        await RecountAsync();
        return found;
    }

    public async Task<int> MarkAllReadAsync()
    {
        var count = await store.MarkReadAsync(UserId, null);
        _coalescer.CloseAll();
        _unread = 0;
        return count;
    }

    public async Task<bool> DeleteAsync(long notificationId)
    {
        var found = await store.DeleteAsync(UserId, notificationId) > 0;
        _coalescer.Close(notificationId);
        await RecountAsync();
        return found;
    }

    public async Task<int> ClearAsync()
    {
        var count = await store.DeleteAsync(UserId, null);
        _coalescer.CloseAll();
        _unread = 0;
        return count;
    }

    public async Task<CommandResult<int>> BulkAsync(BulkNotificationAction action, IReadOnlyList<long> notificationIds)
    {
        var result = await store.BulkAsync(UserId, action, notificationIds);
        if (result.Status == CommandStatus.Ok)
        {
            foreach (var id in notificationIds)
            {
                _coalescer.Close(id);
            }

            await RecountAsync();
        }

        return result;
    }

    public Task<NotificationPreferences> GetPreferencesAsync() => Task.FromResult(NotificationPreferenceRules.Complete(Preferences));

    public async Task<NotificationPreferences> SetPreferencesAsync(NotificationPreferences preferences)
    {
        var previous = state.State.Preferences;
        state.State.Preferences = NotificationPreferenceRules.Complete(preferences);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Preferences = previous;
            throw;
        }

        return state.State.Preferences;
    }

    public Task<long> GetLatestIdAsync() => Task.FromResult(_latestId);

    public Task<long> SubscribeAsync(INotificationObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.FromResult(_latestId);
    }

    public Task UnsubscribeAsync(INotificationObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task RevokeAsync(long? organizationId)
    {
        var upTo = _latestId;
        await _observers.Notify(o => o.OnAccessRevokedAsync(organizationId, upTo));
    }

    public async Task RecountAsync() => _unread = await store.CountUnreadAsync(UserId);
}
