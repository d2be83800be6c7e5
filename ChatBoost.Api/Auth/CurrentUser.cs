using System.Globalization;
using ChatBoost.Grains.Interfaces.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using ChatBoost.Api.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatBoost.Api.Auth;

/// <summary>
/// The authenticated caller. After the token's signature and lifetime are checked, the user's grain is asked
/// whether the user still exists and is active (an in-memory call), so deactivation ends access at once.
/// </summary>
public static class CurrentUser
{
    private static readonly object Key = new();
    private static readonly object UnavailableKey = new();

    public static UserView Get(HttpContext context) =>
        context.Items[Key] as UserView ?? throw new InvalidOperationException("No authenticated user: the endpoint must require authorization.");

    public static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var subject = context.Principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (!long.TryParse(subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId) || userId <= 0)
        {
            context.Fail("The token has no valid subject.");
            return;
        }

        UserView? user;
        try
        {
            user = await context.HttpContext.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IUserGrain>(userId).GetAsync();
        }
        catch (Exception e) when (ClusterFailures.IsUnavailable(e))
        {
            // Not the caller's fault: answer 503 (in the challenge), not 401, so clients keep their token.
            context.HttpContext.Items[UnavailableKey] = true;
            context.Fail("The user could not be checked: the cluster is unavailable.");
            return;
        }

        if (user is not { IsActive: true })
        {
            context.Fail("The user does not exist or is deactivated.");
            return;
        }

        context.HttpContext.Items[Key] = user;
    }

    /// <summary>Turns the challenge into a 503 problem when the user check failed because the cluster was unavailable.</summary>
    public static async Task OnChallengeAsync(JwtBearerChallengeContext context)
    {
        if (!context.HttpContext.Items.ContainsKey(UnavailableKey))
        {
            return;
        }

        context.HandleResponse();
        await Problems.ServiceUnavailable(context.HttpContext).ExecuteAsync(context.HttpContext);
    }
}
