namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>
/// Platform announcements and contact notes, the two producers that name users by <c>@email</c> (a stateless worker).
/// </summary>
[Alias("chatboost.notifications.INotificationAnnouncementGrain")]
public interface INotificationAnnouncementGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records an announcement and delivers it to the members of <see cref="AnnouncementCommand.OrganizationId"/> (404
    /// when it does not exist), or queues it for every active user (<see cref="IAnnouncementFanOutGrain"/>: pages, durable
    /// progress; <see cref="Announcement.Recipients"/> is then 0, what this call stored); users named by <c>@email</c> in
    /// its body get a mention too (in an organization's announcement, only its members).
    /// </summary>
    [Alias("Announce")]
    Task<CommandResult<Announcement>> AnnounceAsync(AnnouncementCommand command);

    /// <summary>
    /// Stores a note on a contact and sends a mention to each fellow member of the contact's organization named by
    /// <c>@email</c> in it (who may read contacts); anyone else named gets nothing.
    /// </summary>
    [Alias("AddContactNote")]
    Task<ContactNote> AddContactNoteAsync(ContactNoteCommand command);
}

[GenerateSerializer, Immutable, Alias("chatboost.notifications.AnnouncementCommand")]
public sealed record AnnouncementCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Body,
    [property: Id(3)] long? OrganizationId);

[GenerateSerializer, Immutable, Alias("chatboost.notifications.Announcement")]
public sealed record Announcement(
    [property: Id(0)] long Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string Body,
    [property: Id(3)] long? OrganizationId,
    [property: Id(4)] long CreatedBy,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] int Recipients,
    [property: Id(7)] int Mentioned);

[GenerateSerializer, Immutable, Alias("chatboost.notifications.ContactNoteCommand")]
public sealed record ContactNoteCommand(
    [property: Id(0)] long ContactId,
    [property: Id(1)] long BotId,
    [property: Id(2)] long OrganizationId,
    [property: Id(3)] long AuthorUserId,
    [property: Id(4)] string Text);

[GenerateSerializer, Immutable, Alias("chatboost.notifications.ContactNote")]
public sealed record ContactNote(
    [property: Id(0)] long Id,
    [property: Id(1)] long ContactId,
    [property: Id(2)] long AuthorUserId,
    [property: Id(3)] string Text,
    [property: Id(4)] IReadOnlyList<long> MentionedUserIds,
    [property: Id(5)] DateTimeOffset CreatedAt);
