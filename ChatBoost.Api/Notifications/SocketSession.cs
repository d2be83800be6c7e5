using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// One open <c>/ws</c> socket: a bounded queue of text frames drained by one send loop, so a slow client fills only its
/// own queue and is disconnected when it is full, never slowing the user's other sockets. Every change is sent once
/// (the highest stream position sent per notification is remembered, <see cref="SentPositions"/>); while the socket replays what it missed (after <c>?after=</c>, or since its upgrade), live notifications are
/// held and follow the replay, so nothing is skipped or doubled. Closes when its bearer token expires or when asked
/// (deactivation), with a close frame after what is queued. A revoked organization (the user was removed from it) stops
/// at once: its notifications still held or queued are dropped, not sent.
/// </summary>
public sealed class SocketSession
{
    /// <summary>Ids remembered as sent (the dedupe window); far more than any replay page plus its live overlap.</summary>
    public const int SentWindow = 4096;

    private const int MaxIncomingBytes = 4096;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>1012 "Service Restart" (RFC 6455 registry): this process is stopping, reconnect.</summary>
    public const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    /// <summary>The close reason sent with <see cref="ServiceRestart"/> (at most 123 bytes).</summary>
    public const string RestartReason = "server restarting: reconnect with ?after=<last position>";

    private readonly WebSocket _socket;
    private readonly JsonSerializerOptions _json;
    private readonly Channel<Outgoing> _queue;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly SentPositions _sent = new(SentWindow);
    private readonly Dictionary<long, long> _revoked = [];
    private readonly CancellationTokenSource _abort = new();
    private List<(Notification Notification, bool Updated)>? _held;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "closing";
    private bool _closed;

    public SocketSession(WebSocket socket, long userId, int capacity, JsonSerializerOptions json)
    {
        _socket = socket;
        _json = json;
        _capacity = capacity;
        UserId = userId;
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _held = []; // every socket starts with its replay (NotificationSocketEndpoint); live ones wait for EndReplay
    }

    public long UserId { get; }

    /// <summary>A live notification (or an update of one) for this socket.</summary>
    public void Offer(Notification notification, bool updated)
    {
        lock (_gate)
        {
            if (_closed || IsRevokedLocked(notification))
            {
                return;
            }

            if (_held is not null)
            {
                _held.Add((notification, updated));
                if (_held.Count > _capacity)
                {
                    AbortLocked("too slow: the send queue is full");
                }

                return;
            }

            EnqueueLocked(notification, updated);
        }
    }

    /// <summary>
    /// Replayed notifications (in position order) after the client's position <paramref name="after"/>, waiting for room
    /// in the queue (the live ones are held meanwhile); one the client saw before is sent as an update
    /// (<see cref="StreamPositions.IsUpdateAfter"/>). Call <see cref="EndReplay"/> after the last page.
    /// </summary>
    public async Task ReplayAsync(IEnumerable<Notification> page, long after, CancellationToken cancellationToken)
    {
        foreach (var notification in page)
        {
            var updated = StreamPositions.IsUpdateAfter(notification, after);
            bool send;
            lock (_gate)
            {
                send = !_closed && !IsRevokedLocked(notification) && IsNewLocked(notification);
            }

            if (send)
            {
                await _queue.Writer.WriteAsync(new Outgoing(null, notification, updated), cancellationToken);
            }
        }
    }

    /// <summary>The live notifications held during the replay follow it, minus those the replay already sent.</summary>
    public void EndReplay()
    {
        lock (_gate)
        {
            var held = _held ?? [];
            _held = null;
            foreach (var (notification, updated) in held)
            {
                EnqueueLocked(notification, updated);
            }
        }
    }

    /// <summary>
    /// The user was removed from <paramref name="organizationId"/>: its notifications up to <paramref name="upTo"/> are
    /// not sent from now on, including those already held or queued.
    /// </summary>
    public void Revoke(long organizationId, long upTo)
    {
        lock (_gate)
        {
            _revoked[organizationId] = Math.Max(upTo, _revoked.GetValueOrDefault(organizationId));
            _held?.RemoveAll(h => IsRevokedLocked(h.Notification));
        }
    }

    /// <summary>Closes after what is queued, with this status and reason.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _closeStatus = status;
            _closeReason = reason;
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Runs the socket until it closes: the send loop, the receive loop, the token's expiry. When the process stops
    /// (<paramref name="stopping"/>) the socket sends what is queued and closes with <see cref="ServiceRestart"/>: the
    /// client reconnects, to any API process, with <c>?after=</c> its last id and misses nothing.
    /// </summary>
    public async Task RunAsync(DateTimeOffset tokenExpiresAt, TimeProvider time, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        using var restarting = stopping.Register(() => Close(ServiceRestart, RestartReason));
        var left = tokenExpiresAt - time.GetUtcNow();
        using var expiry = time.CreateTimer(
            _ => Close(WebSocketCloseStatus.PolicyViolation, "token expired"), null, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        var receiving = ReceiveAsync(linked.Token);
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(linked.Token))
            {
                if (Frame(item) is not { } frame)
                {
                    continue;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
                timeout.CancelAfter(SendTimeout);
                await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
                timeout.CancelAfter(CloseTimeout);
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Aborted (a slow client, the process stopping) or the peer went away: nothing more to send.
        }
        finally
        {
            Close(WebSocketCloseStatus.NormalClosure, "closing");

            // After our close frame, the client answers with its own, which ends the receive loop; aborting before that
            // could reset the connection under the close frame.
            await receiving.WaitAsync(CloseTimeout, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _abort.Cancel();
            await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Abort();
        }
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxIncomingBytes];
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var received = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }

                if (!received.EndOfMessage)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxIncomingBytes} bytes");
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Text && IsPing(buffer.AsSpan(0, received.Count)))
                {
                    _queue.Writer.TryWrite(new Outgoing("""{"type":"pong"}""", null, Updated: false));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            Close(WebSocketCloseStatus.NormalClosure, "closing");
        }
    }

    private static bool IsPing(ReadOnlySpan<byte> message)
    {
        try
        {
            var reader = new Utf8JsonReader(message);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "ping";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void EnqueueLocked(Notification notification, bool updated)
    {
        if (!_closed && !IsRevokedLocked(notification) && IsNewLocked(notification)
            && !_queue.Writer.TryWrite(new Outgoing(null, notification, updated)))
        {
            AbortLocked("too slow: the send queue is full");
        }
    }

    /// <summary>Whether this change was not sent before (nor a later one of the same notification), remembering it.</summary>
    private bool IsNewLocked(Notification notification) => _sent.TryMark(notification.Id, notification.Position);

    private bool IsRevokedLocked(Notification notification) =>
        notification.OrganizationId is { } organization && _revoked.TryGetValue(organization, out var upTo) && notification.Id <= upTo;

    /// <summary>The text frame of a queued item, or null for a notification whose organization was revoked since.</summary>
    private string? Frame(Outgoing item)
    {
        if (item.Notification is not { } notification)
        {
            return item.Text;
        }

        lock (_gate)
        {
            if (IsRevokedLocked(notification))
            {
                return null;
            }
        }

        return JsonSerializer.Serialize(
            new NotificationFrame(item.Updated ? "notification_updated" : "notification", NotificationResponse.From(notification)), _json);
    }

    private void AbortLocked(string reason)
    {
        _closed = true;
        _closeStatus = WebSocketCloseStatus.PolicyViolation;
        _closeReason = reason;
        _queue.Writer.TryComplete();
        _abort.Cancel();
    }

    private sealed record NotificationFrame(string Type, NotificationResponse Notification);

    /// <summary>A queued frame: a notification (serialized when sent, so a revocation still stops it) or a ready text.</summary>
    private readonly record struct Outgoing(string? Text, Notification? Notification, bool Updated);
}
