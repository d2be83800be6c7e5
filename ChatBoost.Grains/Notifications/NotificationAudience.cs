using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// Who receives an organization's notices, pure: every member whose role holds the notice's permission (and, for a
/// notice naming users, only those of them). Each recipient's drafts keep the notices' order.
/// </summary>
public static class NotificationAudience
{
    public static IReadOnlyDictionary<long, List<NotificationDraft>> Split(IEnumerable<OrganizationNotice> notices, IReadOnlyList<MemberView> members)
    {
        var byUser = new Dictionary<long, List<NotificationDraft>>();
        foreach (var notice in notices)
        {
            foreach (var member in members)
            {
                if (!Permissions.Has(member.Role, notice.Permission) || (notice.OnlyUsers is { } only && !only.Contains(member.UserId)))
                {
                    continue;
                }

                if (!byUser.TryGetValue(member.UserId, out var drafts))
                {
                    byUser[member.UserId] = drafts = [];
                }

                drafts.Add(notice.Draft);
            }
        }

        return byUser;
    }
}
