using Orleans.Concurrency;

namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>
/// One user's inbox (key: the user id): the only writer of that user's <c>notifications</c> rows, so a user's ids grow in
/// commit order. Applies the user's preferences and coalescing to what producers deliver, keeps the unread count and the
/// preferences, and pushes each new or coalesced notification to the subscribed observers (one per API process that has
/// a socket of the user open). Observers are not durable: a subscriber renews its subscription well inside
/// <see cref="ObserverExpiry"/>, and catches up from the table after the id it last saw.
/// </summary>
[Alias("chatboost.notifications.INotificationInboxGrain")]
public interface INotificationInboxGrain : IGrainWithIntegerKey
{
    /// <summary>A subscription not renewed within this is dropped.</summary>
    public static readonly TimeSpan ObserverExpiry = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Stores what the user's preferences want of <paramref name="drafts"/> (a source already delivered is skipped) and
    /// pushes it. Returns the stored or updated notifications, in id order.
    /// </summary>
    [Alias("Deliver")]
    Task<IReadOnlyList<Notification>> DeliverAsync(IReadOnlyList<NotificationDraft> drafts);

    [Alias("GetUnreadCount")]
    Task<long> GetUnreadCountAsync();

    /// <summary>False when the user has no such notification.</summary>
    [Alias("MarkRead")]
    Task<bool> MarkReadAsync(long notificationId);

    /// <summary>Marks every unread notification read; returns how many.</summary>
    [Alias("MarkAllRead")]
    Task<int> MarkAllReadAsync();

    /// <summary>False when the user has no such notification.</summary>
    [Alias("Delete")]
    Task<bool> DeleteAsync(long notificationId);

    /// <summary>Deletes every notification of the user; returns how many.</summary>
    [Alias("Clear")]
    Task<int> ClearAsync();

    /// <summary>
    /// Applies <paramref name="action"/> to every id, all or nothing: when one id is not the user's, nothing changes and
    /// the answer is 404 naming it.
    /// </summary>
    [Alias("Bulk")]
    Task<CommandResult<int>> BulkAsync(BulkNotificationAction action, IReadOnlyList<long> notificationIds);

    [Alias("GetPreferences")]
    Task<NotificationPreferences> GetPreferencesAsync();

    [Alias("SetPreferences")]
    Task<NotificationPreferences> SetPreferencesAsync(NotificationPreferences preferences);

    /// <summary>
    /// The user's latest stream position (0: none; the highest id, or a later coalesced update's position): where a new
    /// socket's stream starts (nothing after it is missed).
    /// </summary>
    [Alias("GetLatestId")]
    Task<long> GetLatestIdAsync();

    /// <summary>Subscribes (or renews) <paramref name="observer"/>; returns the user's latest stream position (0: none).</summary>
    [Alias("Subscribe")]
    Task<long> SubscribeAsync(INotificationObserver observer);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(INotificationObserver observer);

    /// <summary>
    /// The user lost access: deactivated (<paramref name="organizationId"/> null) or removed from
    /// <paramref name="organizationId"/>. Tells every subscribed observer at once, so open sockets close (deactivation)
    /// or stop streaming that organization's notifications, without waiting for a renewal or a token check.
    /// </summary>
    [Alias("Revoke")]
    Task RevokeAsync(long? organizationId);

    /// <summary>Re-reads the unread count from the table (after the retention purge removed rows).</summary>
    [Alias("Recount")]
    Task RecountAsync();
}

/// <summary>An API process's listener for one user's notifications (see <see cref="INotificationInboxGrain"/>).</summary>
[Alias("chatboost.notifications.INotificationObserver")]
public interface INotificationObserver : IGrainObserver
{
    /// <summary><paramref name="updated"/>: an existing notification coalesced more events (same id, new count).</summary>
    [OneWay, Alias("OnNotification")]
    Task OnNotificationAsync(Notification notification, bool updated);

    /// <summary>
    /// The user lost access (see <see cref="INotificationInboxGrain.RevokeAsync"/>): with <paramref name="organizationId"/>
    /// null the user was deactivated; otherwise the user was removed from that organization, and none of its
    /// notifications up to <paramref name="upTo"/> (the inbox's latest when it was told) may be streamed any more; later
    /// ones exist only if the user is a member again (the hub reads the membership live).
    /// </summary>
    [OneWay, Alias("OnAccessRevoked")]
    Task OnAccessRevokedAsync(long? organizationId, long upTo);
}
