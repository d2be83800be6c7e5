using Microsoft.AspNetCore.Authorization;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// The policy of every route that names none: a signed-in user. A route is anonymous only when it says
/// <c>AllowAnonymous</c> (auth, webhook, health, OpenAPI), so a new route forgotten by its author is closed,
/// not open. What is not a mapped route — no match (404) and routing's own 405/415 answers, which carry no
/// metadata — is let through, so those keep their status for anonymous callers and reveal no data.
/// </summary>
public static class FallbackAuthorization
{
    public static AuthorizationPolicy Policy { get; } = new AuthorizationPolicyBuilder()
        .RequireAssertion(context =>
            context.User.Identities.Any(identity => identity.IsAuthenticated)
            || context.Resource is HttpContext http && http.GetEndpoint() is not RouteEndpoint)
        .Build();
}
