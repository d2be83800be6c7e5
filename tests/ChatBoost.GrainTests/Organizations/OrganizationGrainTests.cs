using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Organizations;
using Npgsql;

namespace ChatBoost.GrainTests.Organizations;

[Collection(ChatBoostClusterCollection.Name)]
public sealed class OrganizationGrainTests(ChatBoostClusterFixture fixture) : IDisposable
{
    /// <summary>Tests here jump the shared clock ahead; the next test (of any class) starts at the system's time again.</summary>
    public void Dispose() => fixture.Clock.Reset();

    private IGrainFactory Grains => fixture.Grains;

    private async Task<UserView> UserAsync(string prefix)
    {
        var result = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"{prefix}-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        Assert.Equal(RegistrationOutcome.Created, result.Outcome);
        return result.User!;
    }

    private async Task<(IOrganizationGrain Org, UserView Owner)> OrganizationAsync()
    {
        var owner = await UserAsync("owner");
        var created = await Grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(owner.Id, "Grain Org", null);
        Assert.True(created.IsOk);
        return (Grains.GetGrain<IOrganizationGrain>(created.Value!.Id), owner);
    }

    private static CreateInvitationCommand Invite(UserView actor, string email, string tokenHash) =>
        new(actor.Id, email, OrganizationRole.Member, tokenHash, TimeSpan.FromDays(7));

    /// <summary>Membership by consent: an invitation for the user's account, accepted by that user.</summary>
    private static async Task JoinAsync(IOrganizationGrain org, UserView actor, UserView user, OrganizationRole role)
    {
        var hash = "hash-" + Guid.NewGuid();
        var email = user.Email.ToLowerInvariant();
        Assert.True((await org.InviteAsync(new CreateInvitationCommand(actor.Id, email, role, hash, TimeSpan.FromDays(7), user.Id))).IsOk);
        Assert.True((await org.AcceptInvitationAsync(hash, user.Id, email)).IsOk);
    }

    [Fact]
    public async Task AddingAUserCreatesAnInvitationOnlyThatAccountCanAccept()
    {
        var (org, owner) = await OrganizationAsync();
        var invitee = await UserAsync("invitee");
        var other = await UserAsync("other");
        var hash = "hash-" + Guid.NewGuid();
        var email = invitee.Email.ToLowerInvariant();
        var invited = await org.InviteAsync(new CreateInvitationCommand(owner.Id, email, OrganizationRole.Viewer, hash, TimeSpan.FromDays(7), invitee.Id));

        Assert.True(invited.IsOk);
        Assert.Null(await org.GetRoleAsync(invitee.Id));
        Assert.Equal(invitee.Id, Assert.Single(await org.GetPendingInvitationsAsync()).InvitedUserId);
        Assert.Equal(CommandStatus.Forbidden, (await org.AcceptInvitationAsync(hash, other.Id, email)).Status);
        Assert.Null(await org.GetRoleAsync(other.Id));
        Assert.True((await org.AcceptInvitationAsync(hash, invitee.Id, email)).IsOk);
        Assert.Equal(OrganizationRole.Viewer, await org.GetRoleAsync(invitee.Id));
    }

    [Fact]
    public async Task AnInvitationExpiresAfterItsValidity()
    {
        var (org, owner) = await OrganizationAsync();
        var invitee = await UserAsync("late");
        var email = invitee.Email.ToLowerInvariant();
        Assert.True((await org.InviteAsync(Invite(owner, email, "hash-" + Guid.NewGuid()))).IsOk);
        var hash = "hash-" + Guid.NewGuid();
        Assert.True((await org.InviteAsync(Invite(owner, email, hash))).IsOk);

        fixture.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var late = await org.AcceptInvitationAsync(hash, invitee.Id, email);

        Assert.Equal(CommandStatus.Gone, late.Status);
        Assert.Contains("expired", late.Detail, StringComparison.Ordinal);
        Assert.Null(await org.GetRoleAsync(invitee.Id));
        Assert.Empty(await org.GetPendingInvitationsAsync());
    }

    [Fact]
    public async Task AnInvitationWorksJustBeforeItExpires()
    {
        var (org, owner) = await OrganizationAsync();
        var invitee = await UserAsync("ontime");
        var email = invitee.Email.ToLowerInvariant();
        var hash = "hash-" + Guid.NewGuid();
        Assert.True((await org.InviteAsync(Invite(owner, email, hash))).IsOk);

        fixture.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.True((await org.AcceptInvitationAsync(hash, invitee.Id, email)).IsOk);
        Assert.Equal(OrganizationRole.Member, await org.GetRoleAsync(invitee.Id));
    }

    [Fact]
    public async Task StateSurvivesDeactivationThroughAdoNetStorage()
    {
        var (org, owner) = await OrganizationAsync();
        var member = await UserAsync("member");
        await JoinAsync(org, owner, member, OrganizationRole.Viewer);
        Assert.True((await org.UpdateAsync(owner.Id, "Renamed", "About us")).IsOk);

        await fixture.DeactivateAsync(org);

        Assert.Equal(OrganizationRole.Viewer, await org.GetRoleAsync(member.Id));
        var view = await org.GetAsync();
        Assert.Equal("Renamed", view!.Name);
        Assert.Equal("About us", view.Description);
    }

    [Fact]
    public async Task ActivationRepairsALostProjection()
    {
        var (org, owner) = await OrganizationAsync();
        var id = org.GetPrimaryKeyLong();
        await using (var db = await fixture.OpenAsync())
        {
            await using var wipe = new NpgsqlCommand("DELETE FROM organization_members WHERE organization_id = @id", db);
            wipe.Parameters.AddWithValue("id", id);
            await wipe.ExecuteNonQueryAsync();
        }

        await fixture.DeactivateAsync(org);
        await org.GetAsync();

        var mine = await Grains.GetGrain<IOrganizationRegistryGrain>(0).ListForUserAsync(owner.Id);
        Assert.Contains(mine, o => o.Id == id && o.Role == OrganizationRole.Owner);
    }

    [Fact]
    public async Task ConcurrentCommandsAreSerializedSoTheLastOwnerRuleHolds()
    {
        var (org, owner) = await OrganizationAsync();
        var second = await UserAsync("second");
        await JoinAsync(org, owner, second, OrganizationRole.Owner);

        // Both owners try to leave at once: exactly one may.
        var results = await Task.WhenAll(org.RemoveMemberAsync(owner.Id, owner.Id), org.RemoveMemberAsync(second.Id, second.Id));
        Assert.Single(results, r => r.IsOk);
        Assert.Single(results, r => r.Status == CommandStatus.Conflict);
        Assert.Single((await org.GetMembersAsync()), m => m.Role == OrganizationRole.Owner);
    }

    [Fact]
    public async Task PersonalOrganizationIsCreatedIdempotently()
    {
        var user = await UserAsync("personal");
        var org = Grains.GetGrain<IOrganizationGrain>(user.PersonalOrganizationId);
        var again = await org.EnsurePersonalAsync(user.Id, "ignored name");
        Assert.True(again.IsPersonal);
        Assert.Equal(1, again.MemberCount);
        Assert.Equal(OrganizationRole.Owner, await org.GetRoleAsync(user.Id));
    }
}
