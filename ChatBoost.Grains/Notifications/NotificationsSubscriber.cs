using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// The event outlet's notification subscriber: routes each event (<see cref="NotificationRouting"/>) to its
/// organization's hub, one call per organization per batch, in the batch's order. At least once: an inbox skips a source
/// it already has, so a redelivered batch stores nothing twice. Events older than <see cref="MaxEventAge"/> are not news
/// (a new subscriber starts at the beginning of the outlet's history) and are skipped.
/// </summary>
public sealed class NotificationsSubscriber(IGrainFactory grains, TimeProvider time) : IContactEventSubscriber
{
    public const string SubscriberName = "notifications";

    public static readonly TimeSpan MaxEventAge = TimeSpan.FromDays(1);

    public string Name => SubscriberName;

    public async Task HandleAsync(IReadOnlyList<ContactEvent> batch, CancellationToken cancellationToken)
    {
        var oldest = time.GetUtcNow() - MaxEventAge;
        var byOrganization = batch
            .Where(e => e.OccurredAt >= oldest)
            .Select(e => (e.OrganizationId, Notice: NotificationRouting.Route(e)))
            .Where(n => n.Notice is not null)
            .GroupBy(n => n.OrganizationId, n => n.Notice!);
        await Task.WhenAll(byOrganization.Select(g => grains.GetGrain<INotificationHubGrain>(g.Key).PublishAsync([.. g])));
    }
}
