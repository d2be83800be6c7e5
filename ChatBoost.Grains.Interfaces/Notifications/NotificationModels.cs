namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>The kinds of notification (<c>notifications.type</c>) and what produces each.</summary>
public static class NotificationTypes
{
    /// <summary>A delivery status of a bot's message: <c>failed</c>, or every change when the preference asks.</summary>
    public const string MessageStatus = "message_status";

    /// <summary>A flow execution <c>failed</c>, or <c>completed</c> when the preference asks.</summary>
    public const string FlowEvent = "flow_event";

    /// <summary>A platform administrator's announcement, to everyone or one organization.</summary>
    public const string SystemAnnouncement = "system_announcement";

    /// <summary>The user was named (<c>@email</c>) in an announcement or a contact note.</summary>
    public const string Mention = "mention";

    /// <summary>The user was invited to an organization, their role changed, or they were removed.</summary>
    public const string TeamEvent = "team_event";

    /// <summary>Meta rejected a bot's WhatsApp access token; sends stop until it is updated.</summary>
    public const string BotCredentialsInvalid = "bot_credentials_invalid";

    /// <summary><c>POST /notifications/test</c>.</summary>
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All =
        [MessageStatus, FlowEvent, SystemAnnouncement, Mention, TeamEvent, BotCredentialsInvalid, Test];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}

/// <summary>Where a notification may go: the stored inbox, the live WebSocket stream, e-mail.</summary>
public static class NotificationChannels
{
    public const string InApp = "in_app";
    public const string WebSocket = "websocket";
    public const string Email = "email";
}

/// <summary>
/// What a producer asks to tell one user. <see cref="Source"/> is the idempotency key (a contact event id, an
/// announcement id, …): the same source reaches a user's inbox at most once, however often it is delivered.
/// <see cref="CoalesceKey"/>, when set, lets a burst of similar drafts fold into one notification.
/// <see cref="Event"/> says what happened within the type (<c>failed</c>, <c>completed</c>, <c>delivered</c>,
/// <c>invited</c>, <c>role_changed</c>, <c>removed</c>, …).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationDraft")]
public sealed record NotificationDraft(
    [property: Id(0)] string Source,
    [property: Id(1)] string Type,
    [property: Id(2)] string Event,
    [property: Id(3)] string Title,
    [property: Id(4)] string Body,
    [property: Id(5)] long? OrganizationId = null,
    [property: Id(6)] long? BotId = null,
    [property: Id(7)] long? ContactId = null,
    [property: Id(8)] long? ExecutionId = null,
    [property: Id(9)] long? MessageId = null,
    [property: Id(10)] string? CoalesceKey = null);

/// <summary>
/// A stored notification of one user. <see cref="Count"/> &gt; 1 when a burst was coalesced into it. <see cref="Position"/>
/// is the user's stream position of its latest change: its id when it was made, a higher value after each coalesced
/// update (a reconnect's <c>after=</c> is the highest position the client received).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.Notification")]
public sealed record Notification(
    [property: Id(0)] long Id,
    [property: Id(1)] long UserId,
    [property: Id(2)] string Type,
    [property: Id(3)] string Event,
    [property: Id(4)] string Title,
    [property: Id(5)] string Body,
    [property: Id(6)] long? OrganizationId,
    [property: Id(7)] long? BotId,
    [property: Id(8)] long? ContactId,
    [property: Id(9)] long? ExecutionId,
    [property: Id(10)] long? MessageId,
    [property: Id(11)] int Count,
    [property: Id(12)] DateTimeOffset CreatedAt,
    [property: Id(13)] DateTimeOffset UpdatedAt,
    [property: Id(14)] DateTimeOffset? ReadAt,
    [property: Id(15)] long Position);

/// <summary>A page of notifications and the total that matched.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationPage")]
public sealed record NotificationPage(
    [property: Id(0)] IReadOnlyList<Notification> Items,
    [property: Id(1)] long Total);

/// <summary>
/// A list's filters: unread only, one type, one organization, created since; newest first with limit/offset.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationFilter")]
public sealed record NotificationFilter(
    [property: Id(0)] bool UnreadOnly = false,
    [property: Id(1)] string? Type = null,
    [property: Id(2)] long? OrganizationId = null,
    [property: Id(3)] DateTimeOffset? Since = null);

/// <summary>What a bulk action does to its ids.</summary>
public enum BulkNotificationAction
{
    MarkRead = 0,
    MarkUnread = 1,
    Delete = 2,
}

/// <summary>Counts of a user's notifications: all, unread, and unread per type.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationSummary")]
public sealed record NotificationSummary(
    [property: Id(0)] long Total,
    [property: Id(1)] long Unread,
    [property: Id(2)] IReadOnlyDictionary<string, long> UnreadByType,
    [property: Id(3)] IReadOnlyList<Notification> Latest);

/// <summary>Statistics of a user's notifications: per type total and unread, and how many in the last day and week.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.NotificationStats")]
public sealed record NotificationStats(
    [property: Id(0)] long Total,
    [property: Id(1)] long Unread,
    [property: Id(2)] IReadOnlyDictionary<string, long> TotalByType,
    [property: Id(3)] IReadOnlyDictionary<string, long> UnreadByType,
    [property: Id(4)] long LastDay,
    [property: Id(5)] long LastWeek,
    [property: Id(6)] DateTimeOffset? OldestUnreadAt);
