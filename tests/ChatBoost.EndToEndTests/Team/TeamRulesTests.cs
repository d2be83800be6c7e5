using System.Net;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

/// <summary>The rules users expect of a team, and that changes apply on the very next request.</summary>
[Collection(SystemCollection.Name)]
public class TeamRulesTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    private async Task<(long OrgId, (long Id, string Email, string Token) Owner, (long Id, string Email, string Token) Admin, (long Id, string Email, string Token) Member)> TeamAsync()
    {
        var owner = await Http.NewUserAsync("rules-owner");
        var admin = await Http.NewUserAsync("rules-admin");
        var member = await Http.NewUserAsync("rules-member");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Rules");
        await _system.JoinAsync(orgId, owner.Token, admin, "admin");
        await _system.JoinAsync(orgId, owner.Token, member, "member");
        return (orgId, owner, admin, member);
    }

    private Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> SetRoleAsync(long orgId, long userId, string role, string token) =>
        Http.CallAsync(Json(HttpMethod.Put, $"/team/organizations/{orgId}/members/{userId}", new { role }, token));

    private Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> RemoveAsync(long orgId, long userId, string token) =>
        Http.CallAsync(Json(HttpMethod.Delete, $"/team/organizations/{orgId}/members/{userId}", null, token));

    [Fact]
    public async Task TheLastOwnerCannotLeaveOrBeDemoted()
    {
        var t = await TeamAsync();
        AssertProblem(HttpStatusCode.Conflict, await RemoveAsync(t.OrgId, t.Owner.Id, t.Owner.Token));
        AssertProblem(HttpStatusCode.Forbidden, await SetRoleAsync(t.OrgId, t.Owner.Id, "admin", t.Owner.Token));

        // With a second owner, the first may leave.
        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(t.OrgId, t.Admin.Id, "owner", t.Owner.Token)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await RemoveAsync(t.OrgId, t.Owner.Id, t.Owner.Token)).Status);
        AssertProblem(HttpStatusCode.Conflict, await RemoveAsync(t.OrgId, t.Admin.Id, t.Admin.Token));
    }

    [Fact]
    public async Task AdminsCannotGrantOwnerNorTouchAnOwner()
    {
        var t = await TeamAsync();
        AssertProblem(HttpStatusCode.Forbidden, await SetRoleAsync(t.OrgId, t.Member.Id, "owner", t.Admin.Token));
        AssertProblem(HttpStatusCode.Forbidden, await SetRoleAsync(t.OrgId, t.Owner.Id, "viewer", t.Admin.Token));
        AssertProblem(HttpStatusCode.Forbidden, await RemoveAsync(t.OrgId, t.Owner.Id, t.Admin.Token));
        var spare = await Http.NewUserAsync("spare");
        AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync($"/team/organizations/{t.OrgId}/members", new { user_id = spare.Id, role = "owner" }, t.Admin.Token));

        // What admins may do: manage non-owners.
        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(t.OrgId, t.Member.Id, "viewer", t.Admin.Token)).Status);
    }

    [Fact]
    public async Task NobodyChangesTheirOwnRole()
    {
        var t = await TeamAsync();
        AssertProblem(HttpStatusCode.Forbidden, await SetRoleAsync(t.OrgId, t.Admin.Id, "owner", t.Admin.Token));
        AssertProblem(HttpStatusCode.Forbidden, await SetRoleAsync(t.OrgId, t.Admin.Id, "viewer", t.Admin.Token));
    }

    [Fact]
    public async Task RoleChangesApplyOnTheVeryNextRequest()
    {
        var t = await TeamAsync();
        var update = new { description = "by the admin" };
        Assert.Equal(HttpStatusCode.OK, (await Http.CallAsync(Json(HttpMethod.Put, $"/team/organizations/{t.OrgId}", update, t.Admin.Token))).Status);

        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(t.OrgId, t.Admin.Id, "viewer", t.Owner.Token)).Status);
        AssertProblem(HttpStatusCode.Forbidden, await Http.CallAsync(Json(HttpMethod.Put, $"/team/organizations/{t.OrgId}", update, t.Admin.Token)));

        Assert.Equal(HttpStatusCode.NoContent, (await RemoveAsync(t.OrgId, t.Admin.Id, t.Owner.Token)).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{t.OrgId}", t.Admin.Token));
    }

    [Fact]
    public async Task MembersMayLeave()
    {
        var t = await TeamAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await RemoveAsync(t.OrgId, t.Member.Id, t.Member.Token)).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{t.OrgId}", t.Member.Token));
    }

    [Fact]
    public async Task DeletingAnOrganizationRemovesEveryonesAccess()
    {
        var t = await TeamAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.CallAsync(Json(HttpMethod.Delete, $"/team/organizations/{t.OrgId}", null, t.Owner.Token))).Status);
        foreach (var token in new[] { t.Owner.Token, t.Admin.Token, t.Member.Token })
        {
            AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{t.OrgId}", token));
            var (_, mine, _) = await Http.GetJsonAsync("/team/my-organizations", token);
            Assert.DoesNotContain(t.OrgId, mine!.AsArray().Select(o => o!["id"]!.GetValue<long>()));
        }
    }

    [Fact]
    public async Task OwnersMayDeleteTheirPersonalOrganization()
    {
        var user = await Http.NewUserAsync("del-personal");
        var (_, me, _) = await Http.GetJsonAsync("/auth/me", user.Token);
        var personal = me!["personal_organization_id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.CallAsync(Json(HttpMethod.Delete, $"/team/organizations/{personal}", null, user.Token))).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{personal}", user.Token));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/auth/me", user.Token)).Status);
    }

    [Theory]
    [InlineData("owner_id")]
    [InlineData("id")]
    [InlineData("is_personal")]
    [InlineData("created_by")]
    public async Task CreatingAnOrganizationCannotSetServerFields(string field)
    {
        var user = await Http.NewUserAsync("mass-org");
        var name = "Mass " + Guid.NewGuid().ToString("N");
        var result = await Http.PostJsonAsync("/team/organizations", $$"""{"name": "{{name}}", "{{field}}": 1}""", user.Token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal([field], ErrorFields(result.Body!));
        await using var db = await _system.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM organizations WHERE name = @n", db);
        count.Parameters.AddWithValue("n", name);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("""{"role": "viewer", "organization_id": 1}""", "organization_id")]
    [InlineData("""{"role": "viewer", "user_id": 1}""", "user_id")]
    public async Task ChangingARoleCannotSetOtherFields(string json, string field)
    {
        var t = await TeamAsync();
        var result = await Http.CallAsync(new HttpRequestMessage(HttpMethod.Put, $"/team/organizations/{t.OrgId}/members/{t.Member.Id}")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", t.Owner.Token) },
        });
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal([field], ErrorFields(result.Body!));
        var (_, members, _) = await Http.GetJsonAsync($"/team/organizations/{t.OrgId}/members", t.Owner.Token);
        Assert.Equal("member", members!.AsArray().Single(m => m!["user_id"]!.GetValue<long>() == t.Member.Id)!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdatingAnOrganizationCannotMakeItPersonalOrMoveIt()
    {
        var t = await TeamAsync();
        var result = await Http.CallAsync(Json(HttpMethod.Put, $"/team/organizations/{t.OrgId}", """{"name": "x", "is_personal": true, "created_by": 1}""", t.Owner.Token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        var (_, org, _) = await Http.GetJsonAsync($"/team/organizations/{t.OrgId}", t.Owner.Token);
        Assert.Equal("Rules", org!["name"]!.GetValue<string>());
        Assert.False(org["is_personal"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PermissionCheckAnswersForTheCaller()
    {
        var t = await TeamAsync();
        var (_, allowed, _) = await Http.GetJsonAsync($"/team/permissions/check?org_id={t.OrgId}&permission=members.manage", t.Admin.Token);
        Assert.True(allowed!["allowed"]!.GetValue<bool>());
        var (_, denied, _) = await Http.GetJsonAsync($"/team/permissions/check?org_id={t.OrgId}&permission=members.manage", t.Member.Token);
        Assert.False(denied!["allowed"]!.GetValue<bool>());
        var outsider = await Http.NewUserAsync("outsider");
        var (_, none, _) = await Http.GetJsonAsync($"/team/permissions/check?org_id={t.OrgId}&permission=bots.read", outsider.Token);
        Assert.False(none!["allowed"]!.GetValue<bool>());
        Assert.Null(none["role"]);
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/team/permissions/check?org_id={t.OrgId}&permission=launch.missiles", t.Admin.Token));
    }

    [Fact]
    public async Task RolesListEveryPermissionOfEachRole()
    {
        var user = await Http.NewUserAsync("roles");
        var (_, roles, _) = await Http.GetJsonAsync("/team/roles", user.Token);
        var byRole = roles!.AsArray().ToDictionary(r => r!["role"]!.GetValue<string>(), r => r!["permissions"]!.AsArray().Select(p => p!.GetValue<string>()).ToHashSet());
        Assert.Equal(["admin", "member", "owner", "viewer"], byRole.Keys.Order());
        Assert.Contains("organization.delete", byRole["owner"]);
        Assert.DoesNotContain("organization.delete", byRole["admin"]);
        Assert.Contains("members.manage", byRole["admin"]);
        Assert.Contains("bots.write", byRole["member"]);
        Assert.DoesNotContain("bots.write", byRole["viewer"]);
        Assert.True(byRole["viewer"].IsSubsetOf(byRole["member"]) && byRole["member"].IsSubsetOf(byRole["admin"]) && byRole["admin"].IsSubsetOf(byRole["owner"]));
    }

    [Fact]
    public async Task DeactivatedUsersLoseAccessAtOnce()
    {
        var victim = await Http.NewUserAsync("deactivated");
        var admin = await Http.RegisterVerifiedAsync(SharedSystemFixture.AdminEmail);

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/admin/users/{victim.Id}/deactivate", null, admin)).Status);
        AssertProblem(HttpStatusCode.Unauthorized, await Http.GetJsonAsync("/auth/me", victim.Token));
        // 401 like a wrong password (was 403 "deactivated", which told that the password was right).
        AssertProblem(HttpStatusCode.Unauthorized, await Http.PostJsonAsync("/auth/token", new { username = victim.Email, password = DefaultPassword }));

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/admin/users/{victim.Id}/activate", null, admin)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/auth/me", victim.Token)).Status);
    }
}
