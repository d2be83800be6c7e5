namespace ChatBoost.Grains.Notifications;

/// <summary>
/// Folds bursts: a draft with a coalesce key that arrives within <see cref="Window"/> of the first notification of its
/// key (and while that one is unread) goes into it as one more count instead of becoming a notification of its own.
/// Memory only, per inbox activation: losing it (a restart) costs one extra notification, never a lost one. Pure apart
/// from the clock the caller passes.
/// </summary>
public sealed class NotificationCoalescer
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>More open keys than this is not a burst; the oldest are forgotten.</summary>
    public const int MaxOpenKeys = 256;

    private readonly Dictionary<string, (long NotificationId, DateTimeOffset OpenedAt)> _open = new(StringComparer.Ordinal);

    /// <summary>The notification a draft with <paramref name="key"/> folds into at <paramref name="now"/>, or null for a new one.</summary>
    public long? FoldTarget(string? key, DateTimeOffset now)
    {
        if (key is null || !_open.TryGetValue(key, out var open))
        {
            return null;
        }

        if (now - open.OpenedAt >= Window)
        {
            _open.Remove(key);
            return null;
        }

        return open.NotificationId;
    }

    /// <summary>Remembers that <paramref name="notificationId"/> opened a window for <paramref name="key"/>.</summary>
    public void Opened(string? key, long notificationId, DateTimeOffset now)
    {
        if (key is null)
        {
            return;
        }

        if (_open.Count >= MaxOpenKeys)
        {
            foreach (var stale in _open.OrderBy(o => o.Value.OpenedAt).Take(_open.Count - MaxOpenKeys + 1).Select(o => o.Key).ToList())
            {
                _open.Remove(stale);
            }
        }

        _open[key] = (notificationId, now);
    }

    /// <summary>A notification that was read, deleted or cleared no longer takes more counts.</summary>
    public void Close(long notificationId)
    {
        foreach (var key in _open.Where(o => o.Value.NotificationId == notificationId).Select(o => o.Key).ToList())
        {
            _open.Remove(key);
        }
    }

    public void CloseAll() => _open.Clear();

    /// <summary>The title of a notification that holds <paramref name="count"/> events.</summary>
    public static string CoalescedTitle(string title, int count) => count <= 1 ? title : $"{title} ({count})";
}
