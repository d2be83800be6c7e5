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
        var recipients = 0;
        if (command.OrganizationId is { } org)
        {
            recipients = await GrainFactory.GetGrain<INotificationHubGrain>(org)
                .PublishAsync([new OrganizationNotice(Draft(id, command.Title, command.Body, org), Permissions.OrganizationRead)]);
        }
        else
        {
            // Everyone: queued for the paged walk (durable), not delivered in this call; recipients counts what this call stored.
            await GrainFactory.GetGrain<IAnnouncementFanOutGrain>(0).EnqueueAsync(new AnnouncementFanOut(id, command.Title, command.Body));
        }

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

    /// <summary>The announcement's notification (its source makes every delivery to one user the same, once).</summary>
    public static NotificationDraft Draft(long announcementId, string title, string body, long? organizationId) =>
        new($"announcement:{announcementId.ToString(CultureInfo.InvariantCulture)}", NotificationTypes.SystemAnnouncement, "announcement", title, body, organizationId);

    private async Task<List<long>> ResolveAsync(IReadOnlyList<string> emails)
    {
        var directory = GrainFactory.GetGrain<IUserRegistryGrain>(0);
        var ids = await Task.WhenAll(emails.Select(directory.FindUserIdAsync));
        return [.. ids.OfType<long>().Distinct()];
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
