using System.Globalization;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// The organization grain's producer of <c>team_event</c> notifications, to the user concerned: invited (an account
/// invited by id, or the account that holds the invited address), role changed, removed by someone else; and for any
/// removal, the stop of the user's open streams of the organization. Called after the change is saved; a failure to notify is logged and never undoes or fails the change.
/// </summary>
public sealed class TeamNotifications(IGrainFactory grains, TimeProvider time, ILogger<TeamNotifications> logger)
{
    public const string Invited = "invited";
    public const string RoleChanged = "role_changed";
    public const string Removed = "removed";

    public Task InvitedAsync(long organizationId, string organizationName, long invitationId, long? invitedUserId, string email, OrganizationRole role) =>
        SafelyAsync(async () =>
        {
            var userId = invitedUserId ?? await grains.GetGrain<IUserRegistryGrain>(0).FindUserIdAsync(email);
            if (userId is { } user)
            {
                await DeliverAsync(user, new NotificationDraft(
                    $"team:{organizationId}:invitation:{invitationId}", NotificationTypes.TeamEvent, Invited,
                    "Invitation to an organization", $"You were invited to {organizationName} as {RoleNames.ToName(role)}.", organizationId));
            }
        });

    public Task RoleChangedAsync(long organizationId, string organizationName, long userId, OrganizationRole role) =>
        SafelyAsync(() => DeliverAsync(userId, new NotificationDraft(
            $"team:{organizationId}:role:{userId}:{Stamp()}", NotificationTypes.TeamEvent, RoleChanged,
            "Your role changed", $"Your role in {organizationName} is now {RoleNames.ToName(role)}.", organizationId)));

    /// <summary>
    /// The user left the organization or was removed from it (<paramref name="byOther"/>): the user's open sockets stop
    /// streaming the organization's notifications at once; removed by someone else, the user is told (after the stop, so
    /// that notice is streamed).
    /// </summary>
    public Task RemovedAsync(long organizationId, string organizationName, long userId, bool byOther) =>
        SafelyAsync(async () =>
        {
            await grains.GetGrain<INotificationInboxGrain>(userId).RevokeAsync(organizationId);
            if (byOther)
            {
                await DeliverAsync(userId, new NotificationDraft(
                    $"team:{organizationId}:removed:{userId}:{Stamp()}", NotificationTypes.TeamEvent, Removed,
                    "Removed from an organization", $"You were removed from {organizationName}.", organizationId));
            }
        });

    private string Stamp() => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private Task DeliverAsync(long userId, NotificationDraft draft) =>
        grains.GetGrain<INotificationInboxGrain>(userId).DeliverAsync([draft]);

    private async Task SafelyAsync(Func<Task> notify)
    {
        try
        {
            await notify();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "A team notification could not be delivered; the change itself is saved.");
        }
    }
}
