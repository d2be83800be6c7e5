using System.Security.Cryptography;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.AspNetCore.Mvc;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// The seed's Notifications module: the caller's own inbox (every route reads or changes only the signed-in user's
/// notifications, so there is no organization check beyond the sign-in), the WebSocket ticket, platform announcements,
/// and contact notes with mentions. The live stream is <see cref="NotificationSocketEndpoint"/>.
/// </summary>
public static class NotificationEndpoints
{
    public const string Tag = "Notifications";

    public const string TagDescription =
        "The caller's own inbox (lists, counts, read state, preferences), the WebSocket ticket and stream, platform announcements.";

    private const string ListDescription =
        "The caller's notifications, newest first. Paged with limit (1–200, default 50) and offset; the total is in the " +
        "X-Total-Count header. Filters: unread_only (true/false), type, organization_id, since (ISO 8601). Notifications " +
        "older than the retention (NOTIFICATION_RETENTION_DAYS, 90) are gone.";

    public static void MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/notifications").WithModuleTag(Tag, TagDescription);
        MapReads(notifications);
        MapChanges(notifications);
        MapProducers(notifications);
        app.MapNotificationSocket();
        app.MapContactNoteEndpoints();
    }

    private static void MapReads(RouteGroupBuilder notifications)
    {
        notifications.MapGet("/", (HttpContext http, IClusterClient cluster) => ListAsync(http, cluster, null, unreadOnly: false))
            .WithName("Notifications_List").WithSummary("List my notifications").WithDescription(ListDescription)
            .Produces<NotificationResponse[]>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/unread", (HttpContext http, IClusterClient cluster) => ListAsync(http, cluster, null, unreadOnly: true))
            .WithName("Notifications_ListUnread").WithSummary("List my unread notifications").WithDescription(ListDescription)
            .Produces<NotificationResponse[]>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/by-type/{type}", ([FromRoute(Name = "type")] string type, HttpContext http, IClusterClient cluster) =>
                ListAsync(http, cluster, type, unreadOnly: false))
            .WithName("Notifications_ListByType").WithSummary("List my notifications of one type")
            .WithDescription($"type: one of {string.Join(", ", NotificationTypes.All)} (else 422). " + ListDescription)
            .Produces<NotificationResponse[]>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/count", async (HttpContext http, IClusterClient cluster) =>
            {
                var user = CurrentUser.Get(http).Id;
                var summary = await cluster.GetGrain<INotificationQueryGrain>(0).SummaryAsync(user);
                var unread = await cluster.GetGrain<INotificationInboxGrain>(user).GetUnreadCountAsync();
                return TypedResults.Ok(new NotificationCountResponse(summary.Total, unread));
            })
            .WithName("Notifications_Count").WithSummary("How many notifications I have, and how many are unread")
            .Produces<NotificationCountResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/summary", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(NotificationSummaryResponse.From(await cluster.GetGrain<INotificationQueryGrain>(0).SummaryAsync(CurrentUser.Get(http).Id))))
            .WithName("Notifications_Summary").WithSummary("Totals, unread per type and my five latest notifications")
            .Produces<NotificationSummaryResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/stats", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(NotificationStatsResponse.From(await cluster.GetGrain<INotificationQueryGrain>(0).StatsAsync(CurrentUser.Get(http).Id))))
            .WithName("Notifications_Stats").WithSummary("My notifications per type (total and unread), in the last day and week, the oldest unread")
            .Produces<NotificationStatsResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapGet("/preferences", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(NotificationPreferencesResponse.From(await Inbox(http, cluster).GetPreferencesAsync())))
            .WithName("Notifications_GetPreferences").WithSummary("My notification preferences")
            .WithDescription("Per type the channels in_app (stored in the inbox), websocket (pushed live; needs in_app) and email (mailed; needs in_app); " +
                "all_message_status_changes (every delivery status, not only failures), flow_completed, coalesce (a burst becomes one " +
                "notification with a count), digest (e-mails gathered into one per digest period).")
            .Produces<NotificationPreferencesResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static void MapChanges(RouteGroupBuilder notifications)
    {
        notifications.MapPut("/{notification_id:long}/read", async ([FromRoute(Name = "notification_id")] long notificationId, HttpContext http, IClusterClient cluster) =>
                await Inbox(http, cluster).MarkReadAsync(notificationId)
                    ? TypedResults.Ok(new MarkedReadResponse(notificationId, true))
                    : NotFound())
            .WithName("Notifications_MarkRead").WithSummary("Mark one of my notifications read")
            .Produces<MarkedReadResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapPut("/read-all", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(new CountResponse(await Inbox(http, cluster).MarkAllReadAsync())))
            .WithName("Notifications_MarkAllRead").WithSummary("Mark all my notifications read").WithDescription("affected: how many were unread.")
            .Produces<CountResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapDelete("/{notification_id:long}", async ([FromRoute(Name = "notification_id")] long notificationId, HttpContext http, IClusterClient cluster) =>
                await Inbox(http, cluster).DeleteAsync(notificationId) ? TypedResults.NoContent() : NotFound())
            .WithName("Notifications_Delete").WithSummary("Delete one of my notifications")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapDelete("/clear", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok(new CountResponse(await Inbox(http, cluster).ClearAsync())))
            .WithName("Notifications_Clear").WithSummary("Delete all my notifications").WithDescription("affected: how many were deleted.")
            .Produces<CountResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapPost("/bulk-action", async (Body<BulkActionRequest> body, HttpContext http, IClusterClient cluster) =>
                (await Inbox(http, cluster).BulkAsync(body.Value.ParsedAction, body.Value.NotificationIds!))
                    .ToHttp(affected => TypedResults.Ok(new BulkActionResponse(body.Value.Action!, affected))))
            .WithName("Notifications_BulkAction").WithSummary("Mark read, mark unread or delete several of my notifications, all or nothing")
            .WithDescription($"Body: {{\"action\": \"mark_read\" | \"mark_unread\" | \"delete\", \"notification_ids\": [1, 2]}} (1 to {BulkActionRequest.MaxIds} ids). " +
                "When one id is not one of my notifications, nothing changes and the answer is 404 naming it.")
            .Produces<BulkActionResponse>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapPut("/preferences", async (Body<UpdatePreferencesRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                var inbox = Inbox(http, cluster);
                var updated = await inbox.SetPreferencesAsync(body.Value.ApplyTo(await inbox.GetPreferencesAsync()));
                return TypedResults.Ok(NotificationPreferencesResponse.From(updated));
            })
            .WithName("Notifications_UpdatePreferences").WithSummary("Change my notification preferences")
            .WithDescription("Fields left out keep their value; a type's entry changes the channels it names. A type's email mails what its " +
                "in_app stores (not sent while the server has no SMTP); digest: one mail per digest period instead of one per notification.")
            .Produces<NotificationPreferencesResponse>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static void MapProducers(RouteGroupBuilder notifications)
    {
        notifications.MapPost("/test", async (Body<TestNotificationRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                var draft = new NotificationDraft(
                    "test:" + Guid.NewGuid().ToString("N"), NotificationTypes.Test, "test", body.Value.Title?.Trim() ?? "Test notification",
                    body.Value.Body?.Trim() ?? "Notifications reach you.");
                var stored = await Inbox(http, cluster).DeliverAsync([draft]);
                return TypedResults.Created($"/notifications/{stored[0].Id}", NotificationResponse.From(stored[0]));
            })
            .WithName("Notifications_Test").WithSummary("Send myself a test notification (stored, and pushed unless my websocket channel for test is off)")
            .Produces<NotificationResponse>(StatusCodes.Status201Created).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapPost("/ws-ticket", async (HttpContext http, IClusterClient cluster, TimeProvider time) =>
                TypedResults.Ok(await WebSocketTickets.IssueAsync(http, cluster, time)))
            .WithName("Notifications_WebSocketTicket").WithSummary("A one-time ticket for /ws?ticket=… (valid 30 seconds)")
            .WithDescription("The bearer token never goes into a URL: this answers {\"ticket\", \"expires_in\": 30}; the ticket opens one socket, once, " +
                "which closes when the bearer token it came from expires.")
            .Produces<WebSocketTicketResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);

        notifications.MapPost("/announcements", async (Body<AnnouncementRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<INotificationAnnouncementGrain>(0).AnnounceAsync(new AnnouncementCommand(
                    CurrentUser.Get(http).Id, body.Value.Title!.Trim(), body.Value.Body!.Trim(), body.Value.OrganizationId)))
                    .ToHttp(a => TypedResults.Created($"/notifications/announcements/{a.Id}", AnnouncementResponse.From(a))))
            .AddEndpointFilter<PlatformAdminOnlyFilter>()
            .WithName("Notifications_Announce").WithSummary("Announce to every user or to one organization (platform administrators)")
            .WithDescription("Body: {\"title\", \"body\", \"organization_id\"?}. Users named @email in the body get a mention too (only members, " +
                "for an organization's announcement). recipients: notifications stored.")
            .Produces<AnnouncementResponse>(StatusCodes.Status201Created).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IClusterClient cluster, string? type, bool unreadOnly)
    {
        if (!Paging.TryParse(http.Request, out var paging, out var problem) || !NotificationQuery.TryParse(http.Request, type, unreadOnly, out var filter, out problem))
        {
            return problem!;
        }

        var page = await cluster.GetGrain<INotificationQueryGrain>(0).ListAsync(CurrentUser.Get(http).Id, filter, paging.Limit, paging.Offset);
        ContactAccess.SetTotal(http, page.Total);
        return TypedResults.Ok(page.Items.Select(NotificationResponse.From).ToArray());
    }

    private static INotificationInboxGrain Inbox(HttpContext http, IClusterClient cluster) =>
        cluster.GetGrain<INotificationInboxGrain>(CurrentUser.Get(http).Id);

    private static IResult NotFound() => TypedResults.Problem("Notification not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
