using System.Globalization;
using ChatBoost.Grains.Interfaces.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatBoost.Api.Auth;

/// <summary>
/// The authenticated caller. After the token's signature and lifetime are checked, the user's grain is asked
/// whether the user still exists and is active (an in-memory call), so deactivation ends access at once.
/// </summary>
public static class CurrentUser
{
    private static readonly object Key = new();

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

        var user = await context.HttpContext.RequestServices.GetRequiredService<IClusterClient>()
            .GetGrain<IUserGrain>(userId).GetAsync();
        if (user is not { IsActive: true })
        {
            context.Fail("The user does not exist or is deactivated.");
            return;
        }

        context.HttpContext.Items[Key] = user;
    }
}
