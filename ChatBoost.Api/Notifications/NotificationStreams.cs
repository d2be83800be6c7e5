namespace ChatBoost.Api.Notifications;

/// <summary>
/// This API process's user streams: at most one <see cref="UserNotificationStream"/> (one observer) per user with a socket
/// open here. Attaching and detaching happen under one lock, so a stream that lost its last socket is never handed a
/// new one (a new stream starts instead).
/// </summary>
public sealed class NotificationStreams(IClusterClient cluster, NotificationSocketOptions options, TimeProvider time, ILogger<NotificationStreams> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (UserNotificationStream Stream, int Sockets)> _streams = [];

    public int Users
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Whether the user may open another socket here.</summary>
    public bool HasRoomFor(long userId)
    {
        lock (_gate)
        {
            return !_streams.TryGetValue(userId, out var entry) || entry.Sockets < options.MaxSocketsPerUser;
        }
    }

    /// <summary>The user's stream with the socket added, or null when the user is at the cap.</summary>
    public UserNotificationStream? Attach(SocketSession session)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(session.UserId, out var entry))
            {
                entry = (new UserNotificationStream(session.UserId, cluster, options, time, logger), 0);
            }

            if (!entry.Stream.TryAdd(session))
            {
                return null;
            }

            _streams[session.UserId] = (entry.Stream, entry.Sockets + 1);
            return entry.Stream;
        }
    }

    public async Task DetachAsync(UserNotificationStream stream, SocketSession session)
    {
        bool last;
        lock (_gate)
        {
            last = stream.Remove(session);
            if (_streams.TryGetValue(session.UserId, out var entry) && entry.Stream == stream)
            {
                if (last)
                {
                    _streams.Remove(session.UserId);
                }
                else
                {
                    _streams[session.UserId] = (stream, entry.Sockets - 1);
                }
            }
        }

        if (last)
        {
            await stream.StopAsync();
        }
    }
}
