using System.Collections.Concurrent;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Notifications;

namespace ChatBoost.GrainTests.Notifications;

[Collection(ChatBoostClusterCollection.Name)]
public sealed class NotificationGrainTests(ChatBoostClusterFixture fixture) : IDisposable
{
    public void Dispose() => fixture.Clock.Reset();

    private IGrainFactory Grains => fixture.Grains;

    private async Task<UserView> UserAsync(string prefix)
    {
        var result = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"{prefix}-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        return result.User!;
    }

    private async Task<(IOrganizationGrain Org, long Id, UserView Owner)> OrganizationAsync()
    {
        var owner = await UserAsync("owner");
        var created = await Grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(owner.Id, "Notified Org", null);
        return (Grains.GetGrain<IOrganizationGrain>(created.Value!.Id), created.Value!.Id, owner);
    }

    private static async Task JoinAsync(IOrganizationGrain org, UserView actor, UserView user, OrganizationRole role)
    {
        var hash = "hash-" + Guid.NewGuid();
        var email = user.Email.ToLowerInvariant();
        Assert.True((await org.InviteAsync(new CreateInvitationCommand(actor.Id, email, role, hash, TimeSpan.FromDays(7), user.Id))).IsOk);
        Assert.True((await org.AcceptInvitationAsync(hash, user.Id, email)).IsOk);
    }

    private static NotificationDraft Failed(string source, long bot = 7, long organization = 1) =>
        new(source, NotificationTypes.MessageStatus, "failed", "Message delivery failed", source, organization, bot, CoalesceKey: $"message_status:failed:bot:{bot}");

    private static NotificationDraft Plain(string source, string type = NotificationTypes.Test) => new(source, type, "x", "Title", source);

    private Task<NotificationPage> ListAsync(long user, NotificationFilter? filter = null) =>
        Grains.GetGrain<INotificationQueryGrain>(0).ListAsync(user, filter ?? new NotificationFilter(), 200, 0);

    [Fact]
    public async Task A_source_delivered_again_is_stored_once()
    {
        var user = await UserAsync("once");
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);

        Assert.Single(await inbox.DeliverAsync([Plain("s-1"), Plain("s-1")]));
        Assert.Empty(await inbox.DeliverAsync([Plain("s-1")]));
        await fixture.DeactivateAsync(inbox);
        Assert.Empty(await inbox.DeliverAsync([Plain("s-1")]));

        Assert.Equal(1, (await ListAsync(user.Id)).Total);
        Assert.Equal(1, await inbox.GetUnreadCountAsync());
    }

    [Fact]
    public async Task A_burst_of_failures_is_one_notification_whose_count_grows_inside_the_window()
    {
        var user = await UserAsync("burst");
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);

        var first = Assert.Single(await inbox.DeliverAsync([.. Enumerable.Range(1, 200).Select(i => Failed($"f-{i}"))]));
        var folded = Assert.Single(await inbox.DeliverAsync([.. Enumerable.Range(201, 5).Select(i => Failed($"f-{i}"))]));

        Assert.Equal(200, first.Count);
        Assert.Equal((first.Id, 205, "Message delivery failed (205)"), (folded.Id, folded.Count, folded.Title));
        fixture.Clock.Advance(NotificationCoalescer.Window);
        var later = Assert.Single(await inbox.DeliverAsync([Failed("f-300")]));
        Assert.NotEqual(first.Id, later.Id);
        Assert.Equal(2, await inbox.GetUnreadCountAsync());
    }

    [Fact]
    public async Task A_bulk_action_naming_a_notification_of_another_user_changes_nothing()
    {
        var user = await UserAsync("bulk");
        var other = await UserAsync("bulk-other");
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);
        var mine = await inbox.DeliverAsync([Plain("b-1"), Plain("b-2")]);
        var theirs = Assert.Single(await Grains.GetGrain<INotificationInboxGrain>(other.Id).DeliverAsync([Plain("b-3")]));

        var refused = await inbox.BulkAsync(BulkNotificationAction.Delete, [mine[0].Id, mine[1].Id, theirs.Id]);

        Assert.Equal(CommandStatus.NotFound, refused.Status);
        Assert.Contains(theirs.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await ListAsync(user.Id)).Total);
        Assert.Equal(1, (await ListAsync(other.Id)).Total);

        var done = await inbox.BulkAsync(BulkNotificationAction.MarkRead, [mine[0].Id, mine[1].Id]);
        Assert.Equal(2, done.Value);
        Assert.Equal(0, await inbox.GetUnreadCountAsync());
        Assert.Equal(2, (await inbox.BulkAsync(BulkNotificationAction.MarkUnread, [mine[0].Id, mine[1].Id])).Value);
        Assert.Equal(2, await inbox.GetUnreadCountAsync());
    }

    [Fact]
    public async Task A_type_turned_off_is_not_stored()
    {
        var user = await UserAsync("prefs");
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);
        var preferences = await inbox.GetPreferencesAsync();
        var types = new Dictionary<string, ChannelPreference>(preferences.Types, StringComparer.Ordinal)
        {
            [NotificationTypes.MessageStatus] = new(false, false, false),
        };
        await inbox.SetPreferencesAsync(preferences with { Types = types });
        await fixture.DeactivateAsync(inbox);

        Assert.Empty(await inbox.DeliverAsync([Failed("p-1")]));
        Assert.Single(await inbox.DeliverAsync([Plain("p-2", NotificationTypes.Mention)]));
        Assert.False((await inbox.GetPreferencesAsync()).Types[NotificationTypes.MessageStatus].InApp);
    }

    [Fact]
    public async Task The_hub_reaches_members_whose_role_may_read_and_not_a_removed_member_or_another_organization()
    {
        var (org, orgId, owner) = await OrganizationAsync();
        var viewer = await UserAsync("viewer");
        var removed = await UserAsync("removed");
        var (otherOrg, _, otherOwner) = await OrganizationAsync();
        var otherViewer = await UserAsync("other-viewer");
        await JoinAsync(org, owner, viewer, OrganizationRole.Viewer);
        await JoinAsync(org, owner, removed, OrganizationRole.Member);
        await JoinAsync(otherOrg, otherOwner, otherViewer, OrganizationRole.Viewer);
        Assert.True((await org.RemoveMemberAsync(owner.Id, removed.Id)).IsOk);

        var stored = await Grains.GetGrain<INotificationHubGrain>(orgId).PublishAsync(
            [new OrganizationNotice(Failed($"hub-{Guid.NewGuid():N}", organization: orgId), Permissions.MessagesRead)]);

        Assert.Equal(2, stored);
        Assert.Equal(1, (await ListAsync(owner.Id, new NotificationFilter(Type: NotificationTypes.MessageStatus))).Total);
        Assert.Equal(1, (await ListAsync(viewer.Id, new NotificationFilter(Type: NotificationTypes.MessageStatus))).Total);
        Assert.Equal(0, (await ListAsync(removed.Id, new NotificationFilter(Type: NotificationTypes.MessageStatus))).Total);
        Assert.Equal(0, (await ListAsync(otherViewer.Id, new NotificationFilter(Type: NotificationTypes.MessageStatus))).Total);
        var removal = Assert.Single((await ListAsync(removed.Id, new NotificationFilter(Type: NotificationTypes.TeamEvent))).Items, n => n.Event == TeamNotifications.Removed);
        Assert.Equal(orgId, removal.OrganizationId);
    }

    [Fact]
    public async Task Team_events_reach_the_user_concerned()
    {
        var (org, orgId, owner) = await OrganizationAsync();
        var user = await UserAsync("team");
        await JoinAsync(org, owner, user, OrganizationRole.Viewer);
        Assert.True((await org.ChangeRoleAsync(owner.Id, user.Id, OrganizationRole.Admin)).IsOk);

        var events = (await ListAsync(user.Id, new NotificationFilter(Type: NotificationTypes.TeamEvent))).Items.Select(n => n.Event).ToList();

        Assert.Equal([TeamNotifications.RoleChanged, TeamNotifications.Invited], events);
        Assert.Contains("admin", (await ListAsync(user.Id)).Items[0].Body, StringComparison.Ordinal);
        Assert.Equal(0, (await ListAsync(owner.Id, new NotificationFilter(OrganizationId: orgId))).Total);
    }

    [Fact]
    public async Task An_observer_gets_each_new_notification_and_each_coalesced_update()
    {
        var user = await UserAsync("observed");
        var inbox = Grains.GetGrain<INotificationInboxGrain>(user.Id);
        var observer = new RecordingObserver();
        var reference = ((IClusterClient)Grains).CreateObjectReference<INotificationObserver>(observer);
        Assert.Equal(0, await inbox.SubscribeAsync(reference));

        var created = Assert.Single(await inbox.DeliverAsync([Failed("o-1")]));
        await inbox.DeliverAsync([Failed("o-2")]);

        var seen = await observer.WaitForAsync(2);
        Assert.Equal([(created.Id, false, 1), (created.Id, true, 2)], seen.Select(s => (s.Notification.Id, s.Updated, s.Notification.Count)));
        Assert.True(seen[1].Notification.Position > created.Position);
        Assert.Equal(created.Id, created.Position);
        Assert.Equal(seen[1].Notification.Position, await inbox.SubscribeAsync(reference));
        await inbox.UnsubscribeAsync(reference);
        ((IClusterClient)Grains).DeleteObjectReference<INotificationObserver>(reference);
    }

    [Fact]
    public async Task A_removal_and_a_deactivation_reach_the_observers_at_once()
    {
        var (org, orgId, owner) = await OrganizationAsync();
        var member = await UserAsync("revoked");
        await JoinAsync(org, owner, member, OrganizationRole.Member);
        var inbox = Grains.GetGrain<INotificationInboxGrain>(member.Id);
        var observer = new RecordingObserver();
        var reference = ((IClusterClient)Grains).CreateObjectReference<INotificationObserver>(observer);
        await inbox.SubscribeAsync(reference);
        var before = Assert.Single(await inbox.DeliverAsync([Failed("r-1", organization: orgId)]));

        Assert.True((await org.RemoveMemberAsync(owner.Id, member.Id)).IsOk);
        Assert.Equal([((long?)orgId, before.Id)], await observer.WaitForRevocationsAsync(1));
        await Grains.GetGrain<IUserGrain>(member.Id).SetActiveAsync(false);
        Assert.Equal([((long?)orgId, before.Id), ((long?)null, await inbox.GetLatestIdAsync())], await observer.WaitForRevocationsAsync(2));

        // The removal notice came after the organization's revocation: its id is above the revoked range.
        var notices = await observer.WaitForAsync(2);
        Assert.True(notices[^1].Notification.Id > before.Id);
        Assert.Equal(TeamNotifications.Removed, notices[^1].Notification.Event);
        await inbox.UnsubscribeAsync(reference);
        ((IClusterClient)Grains).DeleteObjectReference<INotificationObserver>(reference);
    }

    [Fact]
    public async Task An_announcement_to_everyone_is_walked_in_pages_and_resumes_after_a_deactivation_without_duplicates()
    {
        var users = new List<UserView>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await UserAsync("announced"));
        }

        var announcementId = Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);
        var walker = Grains.GetGrain<IAnnouncementFanOutGrain>(0);
        await walker.EnqueueAsync(new AnnouncementFanOut(announcementId, "Maintenance", "Tonight."));
        await walker.StepAsync();
        await fixture.DeactivateAsync(walker);
        await walker.EnqueueAsync(new AnnouncementFanOut(announcementId, "Maintenance", "Tonight."));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await walker.PendingAsync() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the walk did not finish");
            await Task.Delay(100);
        }

        foreach (var user in users)
        {
            var announcements = await ListAsync(user.Id, new NotificationFilter(Type: NotificationTypes.SystemAnnouncement));
            Assert.Single(announcements.Items, n => n.Title == "Maintenance");
            Assert.Empty(await Grains.GetGrain<INotificationInboxGrain>(user.Id).DeliverAsync(
                [NotificationAnnouncementGrain.Draft(announcementId, "Maintenance", "Tonight.", null)]));
        }
    }

    [Fact]
    public async Task A_ticket_is_redeemed_once_and_never_after_it_expires()
    {
        var now = fixture.Clock.GetUtcNow();
        var once = Grains.GetGrain<IWebSocketTicketGrain>(Guid.NewGuid().ToString("N"));
        await once.IssueAsync(new WebSocketTicket(5, now.AddSeconds(30), now.AddMinutes(10)));
        Assert.Equal(5, (await once.RedeemAsync())!.UserId);
        Assert.Null(await once.RedeemAsync());

        var late = Grains.GetGrain<IWebSocketTicketGrain>(Guid.NewGuid().ToString("N"));
        await late.IssueAsync(new WebSocketTicket(5, now.AddSeconds(30), now.AddMinutes(10)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(await late.RedeemAsync());
    }

    private sealed class RecordingObserver : INotificationObserver
    {
        private readonly ConcurrentQueue<(Notification Notification, bool Updated)> _seen = new();
        private readonly ConcurrentQueue<(long? OrganizationId, long UpTo)> _revoked = new();
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly SemaphoreSlim _revocation = new(0);

        public Task OnAccessRevokedAsync(long? organizationId, long upTo)
        {
            _revoked.Enqueue((organizationId, upTo));
            _revocation.Release();
            return Task.CompletedTask;
        }

        public async Task<IReadOnlyList<(long? OrganizationId, long UpTo)>> WaitForRevocationsAsync(int count)
        {
            while (_revoked.Count < count)
            {
                Assert.True(await _revocation.WaitAsync(TimeSpan.FromSeconds(10)), $"Only {_revoked.Count} of {count} revocations arrived.");
            }

            return [.. _revoked];
        }

        public Task OnNotificationAsync(Notification notification, bool updated)
        {
            _seen.Enqueue((notification, updated));
            _arrived.Release();
            return Task.CompletedTask;
        }

        public async Task<IReadOnlyList<(Notification Notification, bool Updated)>> WaitForAsync(int count)
        {
            while (_seen.Count < count)
            {
                Assert.True(await _arrived.WaitAsync(TimeSpan.FromSeconds(10)), $"Only {_seen.Count} of {count} notifications arrived.");
            }

            return [.. _seen];
        }
    }
}
