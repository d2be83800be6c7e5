using System.Globalization;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="INotificationAnnouncementGrain"/>
[StatelessWorker, Reentrant]
public sealed class NotificationAnnouncementGrain(AnnouncementStore store) : Grain, INotificationAnnouncementGrain
{
    /// <summary>Users per page an announcement to everyone delivers at once.</summary>
    public const int UserPage = 200;

    public async Task<CommandResult<Announcement>> AnnounceAsync(AnnouncementCommand command)
    {
        IReadOnlyList<MemberView>? members = null;
        if (command.OrganizationId is { } organizationId)
        {
            var organization = GrainFactory.GetGrain<IOrganizationGrain>(organizationId);
            if (await organization.GetAsync() is null)
            {
                return CommandResult.Fail<Announcement>(CommandStatus.NotFound, "Organization not found.", "organization_id");
            }

            members = await organization.GetMembersAsync();
        }

        var (id, createdAt) = await store.InsertAnnouncementAsync(command);
        var key = id.ToString(CultureInfo.InvariantCulture);
        var draft = new NotificationDraft($"announcement:{key}", NotificationTypes.SystemAnnouncement, "announcement", command.Title, command.Body, command.OrganizationId);
        var recipients = command.OrganizationId is { } org
            ? await GrainFactory.GetGrain<INotificationHubGrain>(org).PublishAsync([new OrganizationNotice(draft, Permissions.OrganizationRead)])
            : await DeliverToEveryoneAsync(draft);

        var mentioned = await ResolveAsync(MentionParser.Parse(command.Body));
        if (members is not null)
        {
            mentioned = [.. mentioned.Where(u => members.Any(m => m.UserId == u))];
        }

        var mention = new NotificationDraft(
            $"announcement:{key}:mention", NotificationTypes.Mention, "announcement", $"You were mentioned: {Shorten(command.Title, 150)}", command.Body, command.OrganizationId);
        await Task.WhenAll(mentioned.Select(u => GrainFactory.GetGrain<INotificationInboxGrain>(u).DeliverAsync([mention])));
        return CommandResult.Ok(new Announcement(id, command.Title, command.Body, command.OrganizationId, command.ActorUserId, createdAt, recipients, mentioned.Count));
    }

    public async Task<ContactNote> AddContactNoteAsync(ContactNoteCommand command)
    {
        var members = await GrainFactory.GetGrain<IOrganizationGrain>(command.OrganizationId).GetMembersAsync();
        var named = await ResolveAsync(MentionParser.Parse(command.Text));
        List<long> fellows = [.. named.Where(u => u != command.AuthorUserId && members.Any(m => m.UserId == u && Permissions.Has(m.Role, Permissions.ContactsRead)))];
        var (id, createdAt) = await store.InsertNoteAsync(command, fellows);
        var draft = new NotificationDraft(
            $"note:{id.ToString(CultureInfo.InvariantCulture)}", NotificationTypes.Mention, "contact_note", "You were mentioned in a contact note",
            Shorten(command.Text, 4000), command.OrganizationId, command.BotId, command.ContactId);
        await Task.WhenAll(fellows.Select(u => GrainFactory.GetGrain<INotificationInboxGrain>(u).DeliverAsync([draft])));
        return new ContactNote(id, command.ContactId, command.AuthorUserId, command.Text, fellows, createdAt);
    }

    private async Task<int> DeliverToEveryoneAsync(NotificationDraft draft)
    {
        var delivered = 0;
        for (long after = 0; ;)
        {
            var users = await store.ActiveUsersAsync(after, UserPage);
            if (users.Count == 0)
            {
                return delivered;
            }

            var stored = await Task.WhenAll(users.Select(u => GrainFactory.GetGrain<INotificationInboxGrain>(u).DeliverAsync([draft])));
            delivered += stored.Sum(s => s.Count);
            after = users[^1];
        }
    }

    private async Task<List<long>> ResolveAsync(IReadOnlyList<string> emails)
    {
        var directory = GrainFactory.GetGrain<IUserRegistryGrain>(0);
        var ids = await Task.WhenAll(emails.Select(directory.FindUserIdAsync));
        return [.. ids.OfType<long>().Distinct()];
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
