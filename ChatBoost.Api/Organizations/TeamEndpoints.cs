using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Organizations;

/// <summary>The seed's Team Management module: organizations, members, roles, invitations.</summary>
public static class TeamEndpoints
{
    private static readonly Dictionary<OrganizationRole, string> RoleDescriptions = new()
    {
        [OrganizationRole.Owner] = "Everything, including deleting the organization and granting the owner role.",
        [OrganizationRole.Admin] = "Manages the organization's profile and members (but not owners), and everything a member does.",
        [OrganizationRole.Member] = "Builds and runs bots, flows, triggers and contacts; sends messages.",
        [OrganizationRole.Viewer] = "Read-only access to everything in the organization.",
    };

    public static RouteGroupBuilder MapTeamEndpoints(this IEndpointRouteBuilder app)
    {
        var team = app.MapGroup("/team").WithModuleTag(
            "Team Management",
            "Organizations, members, roles and invitations. Everything belongs to an organization, and every request is checked against the caller's role there; what belongs to an organization the caller is not in answers 404.");

        team.MapGet("/roles", () => TypedResults.Ok(Enum.GetValues<OrganizationRole>().Reverse()
                .Select(r => new RoleResponse(RoleNames.ToName(r), RoleDescriptions[r], [.. Permissions.Of(r).Order(StringComparer.Ordinal)]))
                .ToArray()))
            .RequireAuthorization()
            .WithName("Organizations_ListRoles")
            .Produces<RoleResponse[]>()
            .WithSummary("The roles and the permissions of each");

        team.MapGet("/my-organizations", async (HttpContext http, IClusterClient cluster) =>
                TypedResults.Ok((await cluster.GetGrain<IOrganizationRegistryGrain>(0).ListForUserAsync(CurrentUser.Get(http).Id))
                    .Select(MyOrganizationResponse.From).ToArray()))
            .RequireAuthorization()
            .WithName("Organizations_ListMine")
            .Produces<MyOrganizationResponse[]>()
            .WithSummary("The organizations the caller belongs to, with the caller's role in each");

        team.MapGet("/permissions/check", CheckPermissionAsync)
            .RequireAuthorization()
            .WithName("Organizations_CheckPermission")
            .Produces<PermissionCheckResponse>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithQueryParameter("org_id", JsonSchemaType.Integer, "The organization.", required: true, format: "int64")
            .WithQueryParameter("permission", JsonSchemaType.String, "A permission name, as GET /team/roles lists them.", required: true)
            .WithSummary("Whether the caller holds a permission in an organization")
            .WithDescription("Query: org_id, permission. Answers allowed=false (never 404) for organizations the caller does not belong to.");

        team.MapPost("/organizations", async (Body<CreateOrganizationRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(CurrentUser.Get(http).Id, body.Value.Name!.Trim(), Blank(body.Value.Description)))
                    .ToHttp(o => TypedResults.Created($"/team/organizations/{o.Id}", OrganizationResponse.From(o, OrganizationRole.Owner))))
            .RequireAuthorization()
            .WithName("Organizations_Create")
            .Produces<OrganizationResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create an organization (the caller becomes its owner)");

        var org = team.MapGroup("/organizations/{org_id:long}");
        org.MapGet("", async ([FromRoute(Name = "org_id")] long orgId, HttpContext http, IClusterClient cluster) =>
            {
                var view = await cluster.GetGrain<IOrganizationGrain>(orgId).GetAsync();
                return view is null ? NotFound() : TypedResults.Ok(OrganizationResponse.From(view, OrganizationAccess.Get(http).Role));
            })
            .RequireOrganizationPermission(OrganizationRead)
            .WithName("Organizations_Get")
            .Produces<OrganizationResponse>()
            .WithSummary("Get an organization");

        org.MapPut("", async ([FromRoute(Name = "org_id")] long orgId, Body<UpdateOrganizationRequest> body, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IOrganizationGrain>(orgId).UpdateAsync(CurrentUser.Get(http).Id, body.Value.Name?.Trim(), body.Value.Description))
                    .ToHttp(o => TypedResults.Ok(OrganizationResponse.From(o, OrganizationAccess.Get(http).Role))))
            .RequireOrganizationPermission(OrganizationUpdate)
            .WithName("Organizations_Update")
            .Produces<OrganizationResponse>()
            .WithSummary("Update an organization's name or description");

        org.MapDelete("", async ([FromRoute(Name = "org_id")] long orgId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IOrganizationGrain>(orgId).DeleteAsync(CurrentUser.Get(http).Id))
                    .ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(OrganizationDelete)
            .WithName("Organizations_Delete")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Delete an organization (owners only); nobody keeps access to anything it owns");

        org.MapGet("/members", async ([FromRoute(Name = "org_id")] long orgId, HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var members = await cluster.GetGrain<IOrganizationRegistryGrain>(0).ListMembersAsync(orgId, paging.Limit, paging.Offset);
                return TypedResults.Ok(members.Select(MemberResponse.From).ToArray());
            })
            .RequireOrganizationPermission(MembersRead)
            .WithName("Organizations_ListMembers")
            .Produces<MemberResponse[]>()
            .WithPaging()
            .WithSummary("List members (paged with limit/offset)");

        org.MapPost("/members", AddMemberAsync)
            .RequireOrganizationPermission(MembersManage)
            .WithName("Organizations_AddMember")
            .Produces<InvitationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Invite someone to become a member, by user_id or email (they join only by accepting)")
            .WithDescription("Membership is by consent: this creates an invitation (202) that the user accepts with the mailed link. "
                + "For a user_id the answer is the same whether or not an account has that id, and never shows the account's e-mail address.");

        org.MapPut("/members/{user_id:long}", async ([FromRoute(Name = "org_id")] long orgId, [FromRoute(Name = "user_id")] long userId, Body<UpdateMemberRequest> body, HttpContext http, IClusterClient cluster) =>
            {
                RoleNames.TryParse(body.Value.Role, out var role);
                return (await cluster.GetGrain<IOrganizationGrain>(orgId).ChangeRoleAsync(CurrentUser.Get(http).Id, userId, role))
                    .ToHttp(m => TypedResults.Ok(MemberResponse.From(m)));
            })
            .RequireOrganizationPermission(MembersManage)
            .WithName("Organizations_UpdateMember")
            .Produces<MemberResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Change a member's role");

        org.MapDelete("/members/{user_id:long}", async ([FromRoute(Name = "org_id")] long orgId, [FromRoute(Name = "user_id")] long userId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IOrganizationGrain>(orgId).RemoveMemberAsync(CurrentUser.Get(http).Id, userId))
                    .ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(MembersRead)
            .WithName("Organizations_RemoveMember")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Remove a member, or leave (remove yourself)")
            .WithDescription("Removing someone else needs members.manage; anyone may remove themselves. The last owner cannot be removed.");

        org.MapPost("/invitations", InviteAsync)
            .RequireOrganizationPermission(MembersManage)
            .WithName("Organizations_CreateInvitation")
            .Produces<InvitationResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Invite someone by e-mail")
            .WithDescription("The invitation link is e-mailed (SMTP) or, without SMTP settings, written to the API log. It expires after INVITATION_EXPIRE_DAYS (7) days and works once, for the invited address only.");

        org.MapGet("/invitations", async ([FromRoute(Name = "org_id")] long orgId, IClusterClient cluster) =>
                TypedResults.Ok((await cluster.GetGrain<IOrganizationGrain>(orgId).GetPendingInvitationsAsync())
                    .Select(i => InvitationResponse.From(i)).ToArray()))
            .RequireOrganizationPermission(MembersManage)
            .WithName("Organizations_ListInvitations")
            .Produces<InvitationResponse[]>()
            .WithSummary("List pending invitations");

        org.MapGet("/stats", async ([FromRoute(Name = "org_id")] long orgId, IClusterClient cluster) =>
            {
                var stats = await cluster.GetGrain<IOrganizationGrain>(orgId).GetStatsAsync();
                return stats is null ? NotFound() : TypedResults.Ok(OrganizationStatsResponse.From(stats));
            })
            .RequireOrganizationPermission(OrganizationRead)
            .WithName("Organizations_GetStats")
            .Produces<OrganizationStatsResponse>()
            .WithSummary("Organization statistics: members by role, pending invitations, resources");

        org.MapGet("/webhook-allow-list", async ([FromRoute(Name = "org_id")] long orgId, IClusterClient cluster) =>
                TypedResults.Ok(new WebhookAllowListResponse(orgId, await cluster.GetGrain<IOrganizationGrain>(orgId).GetWebhookAllowListAsync())))
            .RequireOrganizationPermission(OrganizationRead)
            .WithName("Organizations_GetWebhookAllowList")
            .Produces<WebhookAllowListResponse>()
            .WithSummary("The webhook_action destinations this organization may reach beyond the platform's list (set by platform administrators)");

        team.MapPost("/invitations/{token}/accept", AcceptInvitationAsync)
            .RequireAuthorization()
            .WithName("Organizations_AcceptInvitation")
            .Produces<InvitationAcceptedResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("Accept an invitation (signed in with the invited e-mail address)");

        team.MapDelete("/invitations/{invitation_id:long}/revoke", async ([FromRoute(Name = "invitation_id")] long invitationId, HttpContext http, IClusterClient cluster) =>
                (await cluster.GetGrain<IOrganizationGrain>(OrganizationAccess.Get(http).OrganizationId).RevokeInvitationAsync(CurrentUser.Get(http).Id, invitationId))
                    .ToHttp(_ => TypedResults.NoContent()))
            .RequireOrganizationPermission(MembersManage, async http =>
                OrganizationPermissionExtensions.RouteId(http, "invitation_id") is { } id
                    ? await http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IOrganizationRegistryGrain>(0).FindOrganizationOfInvitationAsync(id)
                    : null)
            .WithName("Organizations_RevokeInvitation")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Revoke a pending invitation");

        return team;
    }

    private static async Task<IResult> CheckPermissionAsync(HttpContext http, IClusterClient cluster)
    {
        var errors = new ValidationErrors();
        var orgRaw = http.Request.Query["org_id"].ToString();
        var permission = http.Request.Query["permission"].ToString();
        if (!long.TryParse(orgRaw, NumberStyles.None, CultureInfo.InvariantCulture, out var orgId) || orgId <= 0)
        {
            errors.Add("org_id", "Must be an organization id.");
        }

        if (!Permissions.IsKnown(permission))
        {
            errors.Add("permission", $"Must be one of: {string.Join(", ", Permissions.All)}.");
        }

        if (errors.Any)
        {
            return errors.ToResult();
        }

        var role = await cluster.GetGrain<IOrganizationGrain>(orgId).GetRoleAsync(CurrentUser.Get(http).Id);
        return TypedResults.Ok(new PermissionCheckResponse(orgId, permission, role is { } r && Permissions.Has(r, permission), role is { } n ? RoleNames.ToName(n) : null));
    }

    /// <summary>
    /// "Add member" is an invitation (membership by consent). By e-mail it is an ordinary invitation. By user_id it
    /// is an invitation for that account, mailed to its address, which the organization never sees; an id without an
    /// active account gets an invitation nobody can accept, so the answer tells nothing about who exists.
    /// </summary>
    private static async Task<IResult> AddMemberAsync([FromRoute(Name = "org_id")] long orgId, Body<AddMemberRequest> body, HttpContext http, IClusterClient cluster, InvitationMailer mailer, SmtpOptions smtp)
    {
        var request = body.Value;
        RoleNames.TryParse(request.Role, out var role);
        if (request.UserId is not { } userId)
        {
            return await CreateInvitationAsync(orgId, http, cluster, mailer, smtp, EmailAddress.Normalize(request.Email!), role, invitedUserId: null, viaAddMember: true);
        }

        var user = await cluster.GetGrain<Grains.Interfaces.Auth.IUserGrain>(userId).GetAsync();
        var email = user is { IsActive: true } ? EmailAddress.Normalize(user.Email) : "";
        return await CreateInvitationAsync(orgId, http, cluster, mailer, smtp, email, role, userId, viaAddMember: true);
    }

    private static Task<IResult> InviteAsync([FromRoute(Name = "org_id")] long orgId, Body<CreateInvitationRequest> body, HttpContext http, IClusterClient cluster, InvitationMailer mailer, SmtpOptions smtp)
    {
        RoleNames.TryParse(body.Value.Role ?? "member", out var role);
        return CreateInvitationAsync(orgId, http, cluster, mailer, smtp, EmailAddress.Normalize(body.Value.Email!), role, invitedUserId: null, viaAddMember: false);
    }

    /// <summary>The invitation, mailed. "Add member" answers 202 (nobody joined yet); for an account, without the
    /// <c>email_sent</c> flag, which would tell whether the id has an active account.</summary>
    private static async Task<IResult> CreateInvitationAsync(
        long organizationId, HttpContext http, IClusterClient cluster, InvitationMailer mailer, SmtpOptions smtp, string email, OrganizationRole role, long? invitedUserId, bool viaAddMember)
    {
        var token = NewToken();
        var organization = cluster.GetGrain<IOrganizationGrain>(organizationId);
        var result = await organization.InviteAsync(new CreateInvitationCommand(
            CurrentUser.Get(http).Id, email, role, HashToken(token), TimeSpan.FromDays(smtp.InvitationExpireDays), invitedUserId));
        if (!result.IsOk)
        {
            return result.ToHttp(_ => TypedResults.NoContent());
        }

        var invitation = result.Value!;
        var name = (await organization.GetAsync())?.Name ?? "an organization";
        var sent = email.Length == 0 ? false : await mailer.SendAsync(email, name, RoleNames.ToName(role), token, invitation.ExpiresAt, http.RequestAborted);
        var location = $"/team/organizations/{organizationId}/invitations";
        return viaAddMember
            ? TypedResults.Accepted(location, InvitationResponse.From(invitation, invitedUserId is null ? sent : null))
            : TypedResults.Created(location, InvitationResponse.From(invitation, sent));
    }

    private static async Task<IResult> AcceptInvitationAsync(string token, HttpContext http, IClusterClient cluster)
    {
        var user = CurrentUser.Get(http);
        if (!user.EmailVerified)
        {
            return Problems.Forbidden("Verify your e-mail address (POST /auth/verify-email) before accepting an invitation.");
        }

        if (!LooksLikeToken(token))
        {
            return NotFound("Invitation not found.");
        }

        var hash = HashToken(token);
        var orgId = await cluster.GetGrain<IOrganizationRegistryGrain>(0).FindOrganizationOfInvitationTokenAsync(hash);
        if (orgId is null)
        {
            return NotFound("Invitation not found.");
        }

        return (await cluster.GetGrain<IOrganizationGrain>(orgId.Value).AcceptInvitationAsync(hash, user.Id, EmailAddress.Normalize(user.Email)))
            .ToHttp(m => TypedResults.Ok(new InvitationAcceptedResponse(orgId.Value, RoleNames.ToName(m.Role), m.JoinedAt)));
    }

    /// <summary>256 random bits, base64url: unguessable, and only its SHA-256 is stored.</summary>
    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static bool LooksLikeToken(string token) =>
        token.Length == 43 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static IResult NotFound(string detail = "Not found.") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");
}
