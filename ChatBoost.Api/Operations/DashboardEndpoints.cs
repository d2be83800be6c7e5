using ChatBoost.Api.Auth;
using ChatBoost.Api.Organizations;
using ChatBoost.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace ChatBoost.Api.Operations;

/// <summary>
/// The Orleans dashboard (<c>Microsoft.Orleans.Dashboard</c>) at <c>/dashboard</c>: the cluster's silos, grain
/// activations, call rates and reminders. Platform administrators only (the verified addresses in ADMIN_EMAILS): no token
/// is 401, any other user 403, like the admin endpoints. Its pages call its own JSON routes under the same prefix with
/// the same token, so a browser reaches it through a proxy or extension that adds the bearer token.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";
    public const string PolicyName = "platform-admin";

    public static IServiceCollection AddPlatformAdminPolicy(this IServiceCollection services) =>
        services.AddAuthorizationBuilder().AddPolicy(PolicyName, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.Resource is HttpContext http && IsPlatformAdmin(http))).Services;

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapOrleansDashboard(routePrefix: Path).RequireAuthorization(PolicyName).ExcludeFromDescription();
        return app;
    }

    private static bool IsPlatformAdmin(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        try
        {
            return PlatformAdmins.IsAdmin(options, CurrentUser.Get(http));
        }
        catch (InvalidOperationException)
        {
            return false; // a token without a ChatBoost user behind it
        }
    }
}
