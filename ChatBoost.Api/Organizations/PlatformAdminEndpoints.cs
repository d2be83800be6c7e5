using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Organizations;

/// <summary>
/// User management for platform administrators (the e-mails in ADMIN_EMAILS): list every user, deactivate
/// and reactivate. A deactivated user's tokens stop working on their next request.
/// </summary>
public static class PlatformAdminEndpoints
{
    public static RouteGroupBuilder MapPlatformAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/team/admin").WithModuleTag(
                "Platform Administration",
                "For platform administrators (the verified addresses in ADMIN_EMAILS): every user, deactivation, and organizations' webhook allow-lists.").RequireAuthorization().AddEndpointFilter<PlatformAdminFilter>();

        admin.MapGet("/users", async (HttpContext http, IClusterClient cluster) =>
            {
                if (!Paging.TryParse(http.Request, out var paging, out var problem))
                {
                    return problem!;
                }

                var page = await cluster.GetGrain<IUserRegistryGrain>(0).ListAllAsync(paging.Limit, paging.Offset);
                http.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Ok(page.Items.Select(UserResponse.From).ToArray());
            })
            .WithName("Organizations_AdminListUsers")
            .Produces<UserResponse[]>()
            .WithPaging()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("List all users (platform administrators)");

        admin.MapPost("/users/{user_id:long}/deactivate", ([FromRoute(Name = "user_id")] long userId, HttpContext http, IClusterClient cluster) => SetActiveAsync(userId, http, cluster, false))
            .WithName("Organizations_DeactivateUser")
            .Produces<UserResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Deactivate a user: their tokens stop working at once");
        admin.MapPost("/users/{user_id:long}/activate", ([FromRoute(Name = "user_id")] long userId, HttpContext http, IClusterClient cluster) => SetActiveAsync(userId, http, cluster, true))
            .WithName("Organizations_ActivateUser")
            .Produces<UserResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Reactivate a user");

        admin.MapPut("/organizations/{org_id:long}/webhook-allow-list", async ([FromRoute(Name = "org_id")] long orgId, Body<WebhookAllowListRequest> body, IClusterClient cluster) =>
                orgId <= 0
                    ? TypedResults.Problem("Organization not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found.")
                    : (await cluster.GetGrain<IOrganizationGrain>(orgId).SetWebhookAllowListAsync(body.Value.Entries!))
                        .ToHttp(entries => TypedResults.Ok(new WebhookAllowListResponse(orgId, entries))))
            .WithName("Organizations_SetWebhookAllowList")
            .Produces<WebhookAllowListResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Set the webhook_action destinations one organization may reach beyond FLOW_WEBHOOK_ALLOW_LIST")
            .WithDescription("Body: {\"entries\": [\"10.1.2.3:443\", \"10.20.0.0/16\"]} (addresses, ranges, optional ports; never host names). "
                + "Replaces the organization's entries; [] removes them. Platform administrators only: an entry opens internal addresses to that tenant's flows.");
        return admin;
    }

    private static async Task<IResult> SetActiveAsync(long userId, HttpContext http, IClusterClient cluster, bool active)
    {
        if (userId <= 0)
        {
            return TypedResults.Problem("User not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
        }

        if (userId == CurrentUser.Get(http).Id && !active)
        {
            return Problems.Conflict("You cannot deactivate yourself.");
        }

        var user = await cluster.GetGrain<IUserGrain>(userId).SetActiveAsync(active);
        return user is null
            ? TypedResults.Problem("User not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found.")
            : TypedResults.Ok(UserResponse.From(user));
    }

    /// <summary>403 unless the caller's e-mail is in ADMIN_EMAILS and verified.</summary>
    private sealed class PlatformAdminFilter(IOptions<AuthOptions> options) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var user = CurrentUser.Get(context.HttpContext);
            if (PlatformAdmins.IsAdmin(options.Value, user))
            {
                return await next(context);
            }

            return PlatformAdmins.IsListed(options.Value, user)
                ? Problems.Forbidden("Verify your e-mail address (POST /auth/verify-email) before acting as a platform administrator.")
                : Problems.Forbidden("Only platform administrators may do this.");
        }
    }
}

/// <summary>
/// Platform administrators: users whose e-mail is in ADMIN_EMAILS and verified — otherwise whoever registered
/// a listed address first would be administrator without owning the mailbox.
/// </summary>
public static class PlatformAdmins
{
    public static bool IsAdmin(AuthOptions options, UserView user) => user.EmailVerified && IsListed(options, user);

    public static bool IsListed(AuthOptions options, UserView user) =>
        options.GetAdminEmails().Contains(EmailAddress.Normalize(user.Email));
}
