using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>A notification as the API and the WebSocket show it.</summary>
public sealed record NotificationResponse(
    long Id,
    string Type,
    string Event,
    string Title,
    string Body,
    long? OrganizationId,
    long? BotId,
    long? ContactId,
    long? ExecutionId,
    long? MessageId,
    int Count,
    bool IsRead,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadAt,
    long Position)
{
    public static NotificationResponse From(Notification n) =>
        new(n.Id, n.Type, n.Event, n.Title, n.Body, n.OrganizationId, n.BotId, n.ContactId, n.ExecutionId, n.MessageId, n.Count, n.ReadAt is not null,
            n.CreatedAt, n.UpdatedAt, n.ReadAt, n.Position);
}

public sealed record NotificationCountResponse(long Total, long Unread);

public sealed record MarkedReadResponse(long Id, bool IsRead);

public sealed record CountResponse(int Affected);

public sealed record NotificationSummaryResponse(long Total, long Unread, IReadOnlyDictionary<string, long> UnreadByType, NotificationResponse[] Latest)
{
    public static NotificationSummaryResponse From(NotificationSummary s) =>
        new(s.Total, s.Unread, s.UnreadByType, [.. s.Latest.Select(NotificationResponse.From)]);
}

public sealed record NotificationStatsResponse(
    long Total, long Unread, IReadOnlyDictionary<string, long> TotalByType, IReadOnlyDictionary<string, long> UnreadByType, long LastDay, long LastWeek,
    DateTimeOffset? OldestUnreadAt)
{
    public static NotificationStatsResponse From(NotificationStats s) =>
        new(s.Total, s.Unread, s.TotalByType, s.UnreadByType, s.LastDay, s.LastWeek, s.OldestUnreadAt);
}

/// <summary>The channels of one type.</summary>
public sealed class ChannelPreferenceBody
{
    public bool? InApp { get; init; }

    public bool? Websocket { get; init; }

    public bool? Email { get; init; }
}

public sealed record ChannelPreferenceResponse(bool InApp, bool Websocket, bool Email);

public sealed record NotificationPreferencesResponse(
    IReadOnlyDictionary<string, ChannelPreferenceResponse> Types, bool AllMessageStatusChanges, bool FlowCompleted, bool Coalesce, bool Digest)
{
    public static NotificationPreferencesResponse From(NotificationPreferences p) =>
        new(p.Types.ToDictionary(t => t.Key, t => new ChannelPreferenceResponse(t.Value.InApp, t.Value.WebSocket, t.Value.Email), StringComparer.Ordinal),
            p.AllMessageStatusChanges, p.FlowCompleted, p.Coalesce, p.Digest);
}

/// <summary>
/// <c>PUT /notifications/preferences</c>: what to change; fields left out keep their value, and so do the channels a type
/// entry leaves out. A type's <c>email</c> mails what its <c>in_app</c> stores (the silo sends it through SMTP; without
/// <c>SMTP_HOST</c> the preference is kept and nothing is mailed); <c>digest</c> gathers those mails into one per digest period.
/// A value that is not a boolean is a 422 naming the field (the JSON binding).
/// </summary>
public sealed class UpdatePreferencesRequest : IRequestBody
{
    public IReadOnlyDictionary<string, ChannelPreferenceBody?>? Types { get; init; }

    public bool? AllMessageStatusChanges { get; init; }

    public bool? FlowCompleted { get; init; }

    public bool? Coalesce { get; init; }

    public bool? Digest { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (Types is null && AllMessageStatusChanges is null && FlowCompleted is null && Coalesce is null && Digest is null)
        {
            errors.Add("$", "Send at least one of types, all_message_status_changes, flow_completed, coalesce, digest.");
        }

        foreach (var (type, channels) in Types ?? new Dictionary<string, ChannelPreferenceBody?>())
        {
            if (!NotificationTypes.IsKnown(type))
            {
                errors.Add($"types.{type}", $"Unknown notification type; one of {string.Join(", ", NotificationTypes.All)}.");
            }
            else if (channels is null)
            {
                errors.Add($"types.{type}", "Must be an object of in_app, websocket, email.");
            }
        }
    }

    public NotificationPreferences ApplyTo(NotificationPreferences current)
    {
        var types = new Dictionary<string, ChannelPreference>(current.Types, StringComparer.Ordinal);
        foreach (var (type, channels) in Types ?? new Dictionary<string, ChannelPreferenceBody?>())
        {
            var was = current.For(type);
            types[type] = new ChannelPreference(channels!.InApp ?? was.InApp, channels.Websocket ?? was.WebSocket, channels.Email ?? was.Email);
        }

        return current with
        {
            Types = types,
            AllMessageStatusChanges = AllMessageStatusChanges ?? current.AllMessageStatusChanges,
            FlowCompleted = FlowCompleted ?? current.FlowCompleted,
            Coalesce = Coalesce ?? current.Coalesce,
            Digest = Digest ?? current.Digest,
        };
    }
}

/// <summary><c>POST /notifications/bulk-action</c>: one action on 1 to 200 of the caller's notifications, all or nothing.</summary>
public sealed class BulkActionRequest : IRequestBody
{
    public const int MaxIds = 200;

    public string? Action { get; init; }

    public IReadOnlyList<long>? NotificationIds { get; init; }

    public BulkNotificationAction ParsedAction => Action switch
    {
        "mark_read" => BulkNotificationAction.MarkRead,
        "mark_unread" => BulkNotificationAction.MarkUnread,
        _ => BulkNotificationAction.Delete,
    };

    public void Validate(ValidationErrors errors)
    {
        if (Action is not ("mark_read" or "mark_unread" or "delete"))
        {
            errors.Add("action", "Must be mark_read, mark_unread or delete.");
        }

        if (NotificationIds is not { Count: >= 1 and <= MaxIds })
        {
            errors.Add("notification_ids", $"Must list 1 to {MaxIds} notification ids.");
        }
        else if (NotificationIds.Any(id => id <= 0))
        {
            errors.Add("notification_ids", "Ids are positive whole numbers.");
        }
    }
}

public sealed record BulkActionResponse(string Action, int Affected);

/// <summary><c>POST /notifications/test</c>: an optional title (≤ 200) and body (≤ 2000).</summary>
public sealed class TestNotificationRequest : IRequestBody
{
    public string? Title { get; init; }

    public string? Body { get; init; }

    public void Validate(ValidationErrors errors)
    {
        Text(errors, "title", Title, 200);
        Text(errors, "body", Body, 2000);
    }

    internal static void Text(ValidationErrors errors, string field, string? value, int max)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "Must not be blank.");
        }

        errors.MaxLength(field, value, max);
    }
}

/// <summary><c>POST /notifications/announcements</c>: title (≤ 200) and body (≤ 4000), to everyone or one organization.</summary>
public sealed class AnnouncementRequest : IRequestBody
{
    public string? Title { get; init; }

    public string? Body { get; init; }

    public long? OrganizationId { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("title", Title))
        {
            TestNotificationRequest.Text(errors, "title", Title, 200);
        }

        if (errors.Required("body", Body))
        {
            TestNotificationRequest.Text(errors, "body", Body, 4000);
        }

        if (OrganizationId is <= 0)
        {
            errors.Add("organization_id", "Must be a positive id.");
        }
    }
}

public sealed record AnnouncementResponse(
    long Id, string Title, string Body, long? OrganizationId, long CreatedBy, DateTimeOffset CreatedAt, int Recipients, int Mentioned)
{
    public static AnnouncementResponse From(Announcement a) =>
        new(a.Id, a.Title, a.Body, a.OrganizationId, a.CreatedBy, a.CreatedAt, a.Recipients, a.Mentioned);
}

public sealed record WebSocketTicketResponse(string Ticket, int ExpiresIn);
