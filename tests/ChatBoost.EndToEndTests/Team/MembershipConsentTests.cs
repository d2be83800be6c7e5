using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

/// <summary>
/// Issue 11, item 3: looping "add member" over user ids used to make every user a member of the caller's own
/// organization, and the member list then showed each one's e-mail and name. Now adding is an invitation the user
/// must accept, and nothing the organization sees carries the account's address until they do.
/// </summary>
[Collection(SystemCollection.Name)]
public class MembershipConsentTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    [Fact]
    public async Task AddingUsersByIdHarvestsNoEmailAndMakesNobodyAMember()
    {
        var attacker = await Http.NewUserAsync("harvester");
        var victim = await Http.NewUserAsync("harvested");
        var orgId = await Http.CreateOrganizationAsync(attacker.Token, "Harvest");

        var (status, invitation, _) = await Http.PostJsonAsync($"/team/organizations/{orgId}/members", new { user_id = victim.Id, role = "member" }, attacker.Token);
        var (unknownStatus, unknown, _) = await Http.PostJsonAsync($"/team/organizations/{orgId}/members", new { user_id = long.MaxValue - 7, role = "member" }, attacker.Token);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(HttpStatusCode.Accepted, unknownStatus);
        Assert.Equal(Keys(invitation!), Keys(unknown!));
        Assert.Null(invitation!["email_sent"]?.GetValue<bool?>());
        Assert.Equal("pending", invitation["status"]!.GetValue<string>());
        var (_, members, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/members", attacker.Token);
        var (_, invitations, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/invitations", attacker.Token);
        foreach (var seen in new[] { invitation.ToJsonString(), members!.ToJsonString(), invitations!.ToJsonString() })
        {
            Assert.DoesNotContain(victim.Email, seen, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(members.AsArray(), m => m!["user_id"]!.GetValue<long>() == victim.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/team/organizations/{orgId}", victim.Token)).Status);
    }

    [Fact]
    public async Task TheInvitedAccountJoinsByAccepting_AndOnlyThenItsEmailIsShownToFellowMembers()
    {
        var owner = await Http.NewUserAsync("consent-owner");
        var invitee = await Http.NewUserAsync("consent-invitee");
        var outsider = await Http.NewUserAsync("consent-outsider");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Consent");

        await _system.JoinAsync(orgId, owner.Token, invitee, "viewer");

        var (_, members, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/members", owner.Token);
        Assert.Contains(members!.AsArray(), m => m!["user_id"]!.GetValue<long>() == invitee.Id && m["role"]!.GetValue<string>() == "viewer");
        Assert.Contains(invitee.Email, members.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{orgId}/members", outsider.Token));
    }

    [Fact]
    public async Task AnInvitationForAnAccountCannotBeAcceptedByAnotherAccount()
    {
        var owner = await Http.NewUserAsync("account-owner");
        var invitee = await Http.NewUserAsync("account-invitee");
        var thief = await Http.NewUserAsync("account-thief");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Account");
        var mark = _system.Api.OutputLength;
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostJsonAsync($"/team/organizations/{orgId}/members", new { user_id = invitee.Id, role = "admin" }, owner.Token)).Status);
        var token = await TeamScenario.TokenLoggedSinceAsync(_system, invitee.Email, mark);

        AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync($"/team/invitations/{token}/accept", null, thief.Token));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/team/organizations/{orgId}", thief.Token)).Status);
    }

    private static string[] Keys(System.Text.Json.Nodes.JsonNode body) => [.. body.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];
}
