using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>The Team Management module's rows of the authorization matrix.</summary>
public static class TeamEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("GET /team/roles", _ => (HttpMethod.Get, "/team/roles", null), Expect.AnyUser());
        yield return new("GET /team/my-organizations", _ => (HttpMethod.Get, "/team/my-organizations", null), Expect.AnyUser());
        yield return new("GET /team/permissions/check",
            s => (HttpMethod.Get, $"/team/permissions/check?org_id={s.OrganizationId}&permission=bots.read", null), Expect.AnyUser());
        yield return new("POST /team/organizations",
            _ => (HttpMethod.Post, "/team/organizations", new { name = "Created in matrix" }), Expect.AnyUser(HttpStatusCode.Created));

        yield return new("GET /team/organizations/{org_id}", s => (HttpMethod.Get, Org(s), null), Expect.AnyMember());
        yield return new("PUT /team/organizations/{org_id}",
            s => (HttpMethod.Put, Org(s), new { description = "Updated in matrix" }), Expect.Managers());
        yield return new("DELETE /team/organizations/{org_id}",
            s => (HttpMethod.Delete, Org(s), null), Expect.OwnersOnly(HttpStatusCode.NoContent), Mutates: true);
        yield return new("GET /team/organizations/{org_id}/stats", s => (HttpMethod.Get, Org(s) + "/stats", null), Expect.AnyMember());

        yield return new("GET /team/organizations/{org_id}/members", s => (HttpMethod.Get, Org(s) + "/members", null), Expect.AnyMember());
        yield return new("POST /team/organizations/{org_id}/members",
            s => (HttpMethod.Post, Org(s) + "/members", new { user_id = s.Users.Spare.Id, role = "member" }),
            Expect.Managers(HttpStatusCode.Accepted), Mutates: true);
        yield return new("PUT /team/organizations/{org_id}/members/{user_id}",
            s => (HttpMethod.Put, $"{Org(s)}/members/{s.Users.Target.Id}", new { role = "viewer" }),
            Expect.Managers(), Mutates: true, Setup: s => s.AddTargetMemberAsync());
        yield return new("DELETE /team/organizations/{org_id}/members/{user_id}",
            s => (HttpMethod.Delete, $"{Org(s)}/members/{s.Users.Target.Id}", null),
            Expect.Managers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.AddTargetMemberAsync());

        yield return new("POST /team/organizations/{org_id}/invitations",
            s => (HttpMethod.Post, Org(s) + "/invitations", new { email = $"matrix-{Guid.NewGuid():N}@e2e.test", role = "viewer" }),
            Expect.Managers(HttpStatusCode.Created));
        yield return new("GET /team/organizations/{org_id}/invitations", s => (HttpMethod.Get, Org(s) + "/invitations", null), Expect.Managers());
        yield return new("DELETE /team/invitations/{invitation_id}/revoke",
            s => (HttpMethod.Delete, $"/team/invitations/{s.InvitationId}/revoke", null),
            Expect.Managers(HttpStatusCode.NoContent), Mutates: true, Setup: s => s.CreateInvitationAsync());

        yield return new("GET /team/organizations/{org_id}/webhook-allow-list", s => (HttpMethod.Get, Org(s) + "/webhook-allow-list", null), Expect.AnyMember());
        yield return new("PUT /team/admin/organizations/{org_id}/webhook-allow-list",
            s => (HttpMethod.Put, $"/team/admin/organizations/{s.OrganizationId}/webhook-allow-list", new { entries = new[] { "10.1.2.3:443" } }),
            Expect.PlatformAdminsOnly(), Mutates: true);

        // The invitation is for a stranger's address: nobody in the scene may use its token.
        yield return new("POST /team/invitations/{token}/accept",
            s => (HttpMethod.Post, $"/team/invitations/{s.InvitationToken}/accept", null),
            Expect.AnyUser(HttpStatusCode.Forbidden), Setup: s => s.CreateInvitationAsync());

        yield return new("GET /team/admin/users", _ => (HttpMethod.Get, "/team/admin/users", null), Expect.PlatformAdminsOnly());
        yield return new("POST /team/admin/users/{user_id}/activate",
            s => (HttpMethod.Post, $"/team/admin/users/{s.Users.Spare.Id}/activate", null), Expect.PlatformAdminsOnly());
        yield return new("POST /team/admin/users/{user_id}/deactivate",
            s => (HttpMethod.Post, $"/team/admin/users/{s.ExtraUserId}/deactivate", null), Expect.PlatformAdminsOnly(),
            Mutates: true, Setup: s => s.CreateExtraUserAsync());
    }

    private static string Org(MatrixScene s) => $"/team/organizations/{s.OrganizationId}";
}
