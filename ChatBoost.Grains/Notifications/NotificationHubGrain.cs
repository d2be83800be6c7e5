using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="INotificationHubGrain"/>
/// <remarks>
/// Holds nothing: the membership is the organization grain's (read live, in memory, per call) and the audience rule is
/// <see cref="NotificationAudience"/>. Reentrant, so the outlet's shards and the other producers do not queue behind
/// one another; each inbox orders its own writes.
/// </remarks>
[Reentrant]
public sealed class NotificationHubGrain : Grain, INotificationHubGrain
{
    public async Task<int> PublishAsync(IReadOnlyList<OrganizationNotice> notices)
    {
        if (notices.Count == 0)
        {
            return 0;
        }

        var members = await GrainFactory.GetGrain<IOrganizationGrain>(this.GetPrimaryKeyLong()).GetMembersAsync();
        var deliveries = NotificationAudience.Split(notices, members)
            .Select(r => GrainFactory.GetGrain<INotificationInboxGrain>(r.Key).DeliverAsync(r.Value));
        var stored = await Task.WhenAll(deliveries);
        return stored.Sum(s => s.Count);
    }
}
