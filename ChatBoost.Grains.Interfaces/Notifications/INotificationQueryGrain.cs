namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>Reads one user's notifications from the <c>notifications</c> table (a stateless worker; never another user's).</summary>
[Alias("chatboost.notifications.INotificationQueryGrain")]
public interface INotificationQueryGrain : IGrainWithIntegerKey
{
    /// <summary>Newest first.</summary>
    [Alias("List")]
    Task<NotificationPage> ListAsync(long userId, NotificationFilter filter, int limit, int offset);

    /// <summary>
    /// The user's notifications whose stream position is above <paramref name="afterId"/> (new since, or coalesced since),
    /// in position order: a reconnect's replay.
    /// </summary>
    [Alias("After")]
    Task<IReadOnlyList<Notification>> AfterAsync(long userId, long afterId, int limit);

    [Alias("Summary")]
    Task<NotificationSummary> SummaryAsync(long userId);

    [Alias("Stats")]
    Task<NotificationStats> StatsAsync(long userId);
}
