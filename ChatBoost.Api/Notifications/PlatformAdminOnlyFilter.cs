using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Notifications;

/// <summary>403 unless the caller is a platform administrator (ADMIN_EMAILS, verified), like the admin endpoints.</summary>
public sealed class PlatformAdminOnlyFilter(IOptions<AuthOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        PlatformAdmins.IsAdmin(options.Value, CurrentUser.Get(context.HttpContext))
            ? await next(context)
            : Problems.Forbidden("Only platform administrators may do this.");
}
