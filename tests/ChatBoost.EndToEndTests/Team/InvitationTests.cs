using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

[Collection(SystemCollection.Name)]
public class InvitationTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    private async Task<(long OrgId, string OwnerToken)> OrgAsync()
    {
        var owner = await Http.NewUserAsync("inv-owner");
        return (await Http.CreateOrganizationAsync(owner.Token, "Invitations"), owner.Token);
    }

    private async Task AssertNotMemberAsync(long orgId, string token) =>
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/team/organizations/{orgId}", token)).Status);

    [Fact]
    public async Task InvitedUserAcceptsOnceAndGetsTheRole()
    {
        var (orgId, ownerToken) = await OrgAsync();
        var email = UniqueEmail("invitee");
        var (invitationId, token) = await _system.InviteAsync(orgId, ownerToken, email, "admin");

        var (_, pending, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/invitations", ownerToken);
        Assert.Contains(invitationId, pending!.AsArray().Select(i => i!["id"]!.GetValue<long>()));

        await Http.RegisterAsync(email);
        var invitee = await Http.LoginAsync(email);
        var (status, accepted, _) = await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, invitee);
        Assert.True(status == HttpStatusCode.OK, accepted?.ToJsonString());
        Assert.Equal("admin", accepted!["role"]!.GetValue<string>());

        var (_, org, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}", invitee);
        Assert.Equal("admin", org!["role"]!.GetValue<string>());
        var (_, mine, _) = await Http.GetJsonAsync("/team/my-organizations", invitee);
        Assert.Contains(orgId, mine!.AsArray().Select(o => o!["id"]!.GetValue<long>()));

        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, invitee));
        var (_, after, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/invitations", ownerToken);
        Assert.Empty(after!.AsArray());
    }

    [Fact]
    public async Task AnotherEmailCannotUseTheInvitation()
    {
        var (orgId, ownerToken) = await OrgAsync();
        var (_, token) = await _system.InviteAsync(orgId, ownerToken, UniqueEmail("intended"));
        var other = await Http.NewUserAsync("other");
        AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, other.Token));
        await AssertNotMemberAsync(orgId, other.Token);
    }

    [Fact]
    public async Task RevokedInvitationIsGone()
    {
        var (orgId, ownerToken) = await OrgAsync();
        var email = UniqueEmail("revoked");
        var (id, token) = await _system.InviteAsync(orgId, ownerToken, email);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.CallAsync(Json(HttpMethod.Delete, $"/team/invitations/{id}/revoke", null, ownerToken))).Status);
        AssertProblem(HttpStatusCode.Conflict, await Http.CallAsync(Json(HttpMethod.Delete, $"/team/invitations/{id}/revoke", null, ownerToken)));

        await Http.RegisterAsync(email);
        var invitee = await Http.LoginAsync(email);
        AssertProblem(HttpStatusCode.Gone, await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, invitee));
        await AssertNotMemberAsync(orgId, invitee);
    }

    [Fact]
    public async Task InvitingTheSameAddressAgainReplacesTheOldLink()
    {
        var (orgId, ownerToken) = await OrgAsync();
        var email = UniqueEmail("resend");
        var (_, first) = await _system.InviteAsync(orgId, ownerToken, email);
        var (_, second) = await _system.InviteAsync(orgId, ownerToken, email);
        Assert.NotEqual(first, second);

        await Http.RegisterAsync(email);
        var invitee = await Http.LoginAsync(email);
        AssertProblem(HttpStatusCode.Gone, await Http.PostJsonAsync($"/team/invitations/{first}/accept", null, invitee));
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/invitations/{second}/accept", null, invitee)).Status);
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("short")]
    [InlineData("not%20a%20token")]
    public async Task UnknownOrMalformedTokensAre404(string token)
    {
        var user = await Http.NewUserAsync("guess");
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, user.Token));
    }

    [Fact]
    public async Task AcceptingNeedsASignedInUser() =>
        AssertProblem(HttpStatusCode.Unauthorized, await Http.PostJsonAsync("/team/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/accept", null));

    [Fact]
    public async Task OnlyOwnersInviteOwners()
    {
        var (orgId, ownerToken) = await OrgAsync();
        var admin = await Http.NewUserAsync("inv-admin");
        await _system.JoinAsync(orgId, ownerToken, admin, "admin");
        AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync($"/team/organizations/{orgId}/invitations", new { email = UniqueEmail("x"), role = "owner" }, admin.Token));
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync($"/team/organizations/{orgId}/invitations", new { email = UniqueEmail("y"), role = "owner" }, ownerToken)).Status);
    }

    [Fact]
    public async Task PersonalOrganizationsTakeInvitationsLikeAnyOther()
    {
        var owner = await Http.NewUserAsync("personal");
        var (_, me, _) = await Http.GetJsonAsync("/auth/me", owner.Token);
        var personal = me!["personal_organization_id"]!.GetValue<long>();
        var email = UniqueEmail("to-personal");
        var (_, token) = await _system.InviteAsync(personal, owner.Token, email, "viewer");
        await Http.RegisterAsync(email);
        var invitee = await Http.LoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, invitee)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/team/organizations/{personal}", invitee)).Status);
    }
}
