namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>
/// An organization's notification hub (key: the organization id): turns the organization's notices into drafts in the
/// inboxes of the members whose role holds the notice's permission, reading the membership live, so a member removed a
/// moment ago gets nothing from the next notice on. Each inbox then applies its user's preferences.
/// </summary>
[Alias("chatboost.notifications.INotificationHubGrain")]
public interface INotificationHubGrain : IGrainWithIntegerKey
{
    /// <summary>Delivers every notice to its recipients; returns how many notifications were stored or updated.</summary>
    [Alias("Publish")]
    Task<int> PublishAsync(IReadOnlyList<OrganizationNotice> notices);
}

/// <summary>
/// A notice to an organization's members holding <paramref name="Permission"/>; with <paramref name="OnlyUsers"/>, only
/// those of them (a mention names fellow members; anyone else named is ignored).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.OrganizationNotice")]
public sealed record OrganizationNotice(
    [property: Id(0)] NotificationDraft Draft,
    [property: Id(1)] string Permission,
    [property: Id(2)] IReadOnlyList<long>? OnlyUsers = null);
