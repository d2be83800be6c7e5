using ChatBoost.Grains.Interfaces.Notifications;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="INotificationQueryGrain"/>
[StatelessWorker, Reentrant]
public sealed class NotificationQueryGrain(NotificationQueries queries, TimeProvider time) : Grain, INotificationQueryGrain
{
    /// <summary>The latest notifications a summary shows.</summary>
    public const int SummaryLatest = 5;

    public Task<NotificationPage> ListAsync(long userId, NotificationFilter filter, int limit, int offset) =>
        queries.ListAsync(userId, filter, limit, offset);

    public Task<IReadOnlyList<Notification>> AfterAsync(long userId, long afterId, int limit) => queries.AfterAsync(userId, afterId, limit);

    public async Task<NotificationSummary> SummaryAsync(long userId)
    {
        var (byType, _, _, _) = await queries.CountsAsync(userId, time.GetUtcNow());
        var latest = await queries.ListAsync(userId, new NotificationFilter(), SummaryLatest, 0);
        return new NotificationSummary(
            byType.Values.Sum(c => c.Total),
            byType.Values.Sum(c => c.Unread),
            byType.Where(c => c.Value.Unread > 0).ToDictionary(c => c.Key, c => c.Value.Unread, StringComparer.Ordinal),
            latest.Items);
    }

    public async Task<NotificationStats> StatsAsync(long userId)
    {
        var (byType, lastDay, lastWeek, oldestUnread) = await queries.CountsAsync(userId, time.GetUtcNow());
        return new NotificationStats(
            byType.Values.Sum(c => c.Total),
            byType.Values.Sum(c => c.Unread),
            byType.ToDictionary(c => c.Key, c => c.Value.Total, StringComparer.Ordinal),
            byType.ToDictionary(c => c.Key, c => c.Value.Unread, StringComparer.Ordinal),
            lastDay,
            lastWeek,
            oldestUnread);
    }
}
