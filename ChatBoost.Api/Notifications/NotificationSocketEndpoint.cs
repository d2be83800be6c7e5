using System.Globalization;
using System.Net.WebSockets;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// <c>GET /ws?ticket=…[&amp;after=id]</c>: the live stream. Anonymous at the HTTP layer: the one-time ticket is the
/// authentication, checked before the upgrade (missing, unknown, used or expired: 401, nothing streamed). With
/// <c>after</c> (the highest <c>position</c> the client received; for new notifications that is their id), the socket
/// first receives from the table what changed after it, in position order — notifications it never saw, and
/// <c>notification_updated</c> for the ones it saw that were coalesced since — then the live ones. Without it, the socket starts at the user's latest notification as read before the upgrade: what is
/// made after the 101, even before this process's observer subscription is in place, is replayed from the table, so a
/// first connection has no gap either. Frames are JSON text: <c>{"type": "notification" | "notification_updated", "notification": {…}}</c>;
/// a client <c>{"type": "ping"}</c> is answered <c>{"type": "pong"}</c>, and WebSocket pings keep the connection alive.
/// </summary>
public static class NotificationSocketEndpoint
{
    public const int ReplayPage = 200;

    public static IApplicationBuilder UseNotificationWebSockets(this IApplicationBuilder app) => app.UseWebSockets();

    public static void MapNotificationSocket(this IEndpointRouteBuilder app) =>
        app.MapGet("/ws", ConnectAsync)
            .AllowAnonymous()
            .WithTags(NotificationEndpoints.Tag)
            .WithMetadata(new TagDescriptionMetadata(NotificationEndpoints.Tag, NotificationEndpoints.TagDescription))
            .WithName("Notifications_WebSocket")
            .WithSummary("The live notification stream (WebSocket; authenticate with ?ticket= from POST /notifications/ws-ticket)")
            .WithDescription("Answers 101 Switching Protocols to a valid upgrade. after=<position> (the highest notification.position received; a new notification's position is its id): first what changed after it (new notifications, and notification_updated for coalesced ones already seen), then live ones; each once, in position order.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static async Task<IResult> ConnectAsync(
        HttpContext http, IClusterClient cluster, NotificationStreams streams, NotificationSocketOptions options, IOptions<JsonOptions> json,
        TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var ticket = await WebSocketTickets.RedeemAsync(cluster, http.Request.Query["ticket"].ToString());
        if (ticket is null || await cluster.GetGrain<IUserGrain>(ticket.UserId).GetAsync() is not { IsActive: true })
        {
            return Problems.Unauthorized("A valid one-time ticket from POST /notifications/ws-ticket is required.");
        }

        long? after = null;
        if (http.Request.Query["after"].ToString() is { Length: > 0 } raw)
        {
            if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Problems.Validation("after", "Must be a notification id (a whole number, 0 for everything kept).");
            }

            after = id;
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            return Problems.BadRequest("This is the WebSocket endpoint: send an upgrade request.");
        }

        if (!streams.HasRoomFor(ticket.UserId))
        {
            return TypedResults.Problem(
                $"At most {options.MaxSocketsPerUser} sockets per user.", statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sockets.");
        }

        // Read before the 101: the client can make nothing after this point that the replay below would not cover.
        var from = after ?? await cluster.GetGrain<INotificationInboxGrain>(ticket.UserId).GetLatestIdAsync();
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveInterval,
        });
        var session = new SocketSession(socket, ticket.UserId, options.SocketQueue, json.Value.SerializerOptions);
        if (streams.Attach(session) is not { } stream)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "too many sockets", lifetime.ApplicationStopping);
            return Results.Empty;
        }

        try
        {
            await stream.EnsureSubscribedAsync();
            var running = session.RunAsync(ticket.TokenExpiresAt, time, lifetime.ApplicationStopping);
            await ReplayAsync(cluster, session, from, lifetime.ApplicationStopping);

            await running;
        }
        finally
        {
            await streams.DetachAsync(stream, session);
        }

        return Results.Empty;
    }

    private static async Task ReplayAsync(IClusterClient cluster, SocketSession session, long after, CancellationToken cancellationToken)
    {
        var query = cluster.GetGrain<INotificationQueryGrain>(0);
        for (var last = after; ;)
        {
            var page = await query.AfterAsync(session.UserId, last, ReplayPage);
            await session.ReplayAsync(page, after, cancellationToken);
            if (page.Count < ReplayPage)
            {
                break;
            }

            last = page[^1].Position;
        }

        session.EndReplay();
    }
}
