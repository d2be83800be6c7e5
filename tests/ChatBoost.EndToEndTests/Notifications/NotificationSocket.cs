using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// A real <see cref="ClientWebSocket"/> on <c>/ws</c>: gets a ticket with the bearer token, connects, and reads frames in
/// the background so a test can wait for the next one (or for the close) without sleeping.
/// </summary>
public sealed class NotificationSocket : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonNode> _frames = Channel.CreateUnbounded<JsonNode>();
    private readonly Task _reading;

    private NotificationSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = ReadAsync();
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public static async Task<string> TicketAsync(ChatBoostSystem system, string token)
    {
        var (status, body, _) = await system.Http.PostJsonAsync("/notifications/ws-ticket", null, token);
        Assert.True(status == HttpStatusCode.OK, $"ws-ticket: {status} {body?.ToJsonString()}");
        Assert.Equal(30, body!["expires_in"]!.GetValue<int>());
        return body["ticket"]!.GetValue<string>();
    }

    /// <param name="via">The API process to connect to (default: the system's first); the ticket always comes from the first.</param>
    public static async Task<NotificationSocket> ConnectAsync(ChatBoostSystem system, string token, long? after = null, Uri? via = null) =>
        await ConnectWithTicketAsync(system, await TicketAsync(system, token), after, via);

    public static async Task<NotificationSocket> ConnectWithTicketAsync(ChatBoostSystem system, string ticket, long? after = null, Uri? via = null)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(Uri(via ?? system.BaseAddress, $"ticket={System.Uri.EscapeDataString(ticket)}" + (after is { } a ? $"&after={a}" : "")), CancellationToken.None);
        return new NotificationSocket(socket);
    }

    /// <summary>The HTTP status of a refused upgrade (the socket never opens).</summary>
    public static async Task<HttpStatusCode> RefusedStatusAsync(ChatBoostSystem system, string query)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(Uri(system.BaseAddress, query), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    /// <summary>The next frame (fails the test when none comes within the patience, or the socket closed).</summary>
    public async Task<JsonNode> NextAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        try
        {
            return await _frames.Reader.ReadAsync(timeout.Token);
        }
        catch (ChannelClosedException)
        {
            throw new Xunit.Sdk.XunitException($"The socket closed ({CloseStatus} {CloseDescription}) before the next frame.");
        }
    }

    /// <summary>The next frame that is a notification (not a coalesced update, not a pong).</summary>
    public async Task<JsonNode> NextNotificationAsync(TimeSpan? patience = null)
    {
        while (true)
        {
            var frame = await NextAsync(patience);
            if (frame["type"]!.GetValue<string>() == "notification")
            {
                return frame["notification"]!;
            }
        }
    }

    /// <summary>The ids of the next <paramref name="count"/> notifications, in the order they came.</summary>
    public async Task<List<long>> NotificationIdsAsync(int count)
    {
        List<long> ids = [];
        for (var i = 0; i < count; i++)
        {
            ids.Add((await NextNotificationAsync())["id"]!.GetValue<long>());
        }

        return ids;
    }

    /// <summary>Waits until the server closes the socket; returns the frames received before.</summary>
    public async Task<List<JsonNode>> ClosedAsync()
    {
        await _reading.WaitAsync(Patience);
        var rest = new List<JsonNode>();
        while (_frames.Reader.TryRead(out var frame))
        {
            rest.Add(frame);
        }

        return rest;
    }

    public Task SendAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Abort();
        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }

    private static Uri Uri(Uri api, string query) =>
        new UriBuilder(api) { Scheme = "ws", Path = "/ws", Query = query }.Uri;

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                _frames.Writer.TryWrite(JsonNode.Parse(message.ToArray())!);
            }
        }
        catch (WebSocketException)
        {
            // The server went away (a restart): the reader ends like a close.
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
