using System.Net.WebSockets;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// The one observer this API process subscribes to a user's inbox grain, however many sockets the user has open here;
/// it fans each notification out to those sockets in process. Observers are not durable (a silo restart or a missed
/// renewal drops them), so a timer renews the subscription well inside the inbox's expiry, and when the inbox's latest
/// id is beyond the last one seen here (pushes lost while unsubscribed) it replays the gap from the table to every
/// socket. The inbox tells the stream at once when the user is deactivated (every socket closes, 1008) or removed from an
/// organization (the sockets stop streaming it); the same tick checks the user too, in case that message was lost.
/// </summary>
public sealed class UserNotificationStream(
    long userId, IClusterClient cluster, NotificationSocketOptions options, TimeProvider time, ILogger logger) : INotificationObserver
{
    /// <summary>A gap larger than this is not replayed here: the sockets close and their clients reconnect with after=.</summary>
    public const int MaxHeal = 200;

    private readonly Lock _gate = new();
    private readonly List<SocketSession> _sessions = [];
    private readonly SemaphoreSlim _delivery = new(1, 1);
    private readonly Dictionary<long, long> _revoked = [];
    private INotificationObserver? _reference;
    private ITimer? _timer;
    private long _maxSeenId;
    private int _ticking;
    private bool _stopped;

    private INotificationInboxGrain Inbox => cluster.GetGrain<INotificationInboxGrain>(userId);

    /// <summary>False when the user already has <see cref="NotificationSocketOptions.MaxSocketsPerUser"/> sockets here, or the stream stopped.</summary>
    public bool TryAdd(SocketSession session)
    {
        lock (_gate)
        {
            if (_stopped || _sessions.Count >= options.MaxSocketsPerUser)
            {
                return false;
            }

            foreach (var (organization, upTo) in _revoked)
            {
                session.Revoke(organization, upTo);
            }

            _sessions.Add(session);
            return true;
        }
    }

    /// <summary>Removes a socket; true when it was the last (the caller then stops the stream).</summary>
    public bool Remove(SocketSession session)
    {
        lock (_gate)
        {
            _sessions.Remove(session);
            if (_sessions.Count == 0)
            {
                _stopped = true;
            }

            return _stopped;
        }
    }

    /// <summary>Subscribes the observer once (every later call returns at once); live pushes flow from then on.</summary>
    public async Task EnsureSubscribedAsync()
    {
        await _delivery.WaitAsync();
        try
        {
            if (_reference is not null)
            {
                return;
            }

            var reference = cluster.CreateObjectReference<INotificationObserver>(this);
            var latest = await Inbox.SubscribeAsync(reference);
            _reference = reference;
            _maxSeenId = Math.Max(_maxSeenId, latest);
            _timer = time.CreateTimer(_ => _ = TickAsync(), null, options.Resubscribe, options.Resubscribe);
        }
        finally
        {
            _delivery.Release();
        }
    }

    public async Task OnNotificationAsync(Notification notification, bool updated)
    {
        await _delivery.WaitAsync();
        try
        {
            Deliver(notification, updated);
        }
        finally
        {
            _delivery.Release();
        }
    }

    public async Task OnAccessRevokedAsync(long? organizationId, long upTo)
    {
        if (organizationId is not { } organization)
        {
            logger.LogInformation("User {UserId} was deactivated: their sockets here close.", userId);
            CloseAll(WebSocketCloseStatus.PolicyViolation, "user deactivated");
            return;
        }

        await _delivery.WaitAsync();
        try
        {
            lock (_gate)
            {
                _revoked[organization] = Math.Max(upTo, _revoked.GetValueOrDefault(organization));
            }

            foreach (var session in Snapshot())
            {
                session.Revoke(organization, upTo);
            }
        }
        finally
        {
            _delivery.Release();
        }
    }

    public async Task StopAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        if (_reference is { } reference)
        {
            try
            {
                await Inbox.UnsubscribeAsync(reference);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Unsubscribing user {UserId}'s stream failed; the subscription expires by itself.", userId);
            }

            cluster.DeleteObjectReference<INotificationObserver>(reference);
        }
    }

    /// <summary>Renews the subscription, replays a gap, closes the sockets of a deactivated user. Never overlaps itself.</summary>
    public async Task TickAsync()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1 || _reference is not { } reference)
        {
            return;
        }

        try
        {
            var latest = await Inbox.SubscribeAsync(reference);
            await HealAsync(latest);
            if (await cluster.GetGrain<IUserGrain>(userId).GetAsync() is not { IsActive: true })
            {
                CloseAll(WebSocketCloseStatus.PolicyViolation, "user deactivated");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Renewing the notification subscription of user {UserId} failed ({Reason}); retrying at the next tick.", userId, e.Message);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void CloseAll(WebSocketCloseStatus status, string reason)
    {
        foreach (var session in Snapshot())
        {
            session.Close(status, reason);
        }
    }

    private async Task HealAsync(long latest)
    {
        await _delivery.WaitAsync();
        try
        {
            if (latest <= _maxSeenId)
            {
                return;
            }

            var missed = await cluster.GetGrain<INotificationQueryGrain>(0).AfterAsync(userId, _maxSeenId, MaxHeal + 1);
            if (missed.Count > MaxHeal)
            {
                CloseAll(WebSocketCloseStatus.EndpointUnavailable, "too many missed notifications: reconnect with after=");
                _maxSeenId = latest;
                return;
            }

            logger.LogInformation("User {UserId}: {Count} notifications pushed while unsubscribed are replayed to the open sockets.", userId, missed.Count);
            var after = _maxSeenId;
            foreach (var notification in missed)
            {
                Deliver(notification, StreamPositions.IsUpdateAfter(notification, after));
            }

            _maxSeenId = Math.Max(_maxSeenId, latest);
        }
        finally
        {
            _delivery.Release();
        }
    }

    private void Deliver(Notification notification, bool updated)
    {
        _maxSeenId = Math.Max(_maxSeenId, notification.Position);

        foreach (var session in Snapshot())
        {
            session.Offer(notification, updated);
        }
    }

    private SocketSession[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _sessions];
        }
    }
}
