using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatBoost.Api.Auth;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// One-time WebSocket tickets: 256 random bits, base64url. The cluster keeps only the ticket's SHA-256 (the key of its
/// <see cref="IWebSocketTicketGrain"/>), so any API process can redeem it, once, within <see cref="Lifetime"/>. The
/// ticket remembers when the bearer token it was issued for expires; the socket closes then.
/// </summary>
public static class WebSocketTickets
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private const int TicketLength = 43;

    public static async Task<WebSocketTicketResponse> IssueAsync(HttpContext http, IClusterClient cluster, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var ticket = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expires = http.User.FindFirst(JwtRegisteredClaimNames.Exp)?.Value is { } exp
                      && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : now;
        await cluster.GetGrain<IWebSocketTicketGrain>(KeyOf(ticket)).IssueAsync(new WebSocketTicket(CurrentUser.Get(http).Id, now + Lifetime, expires));
        return new WebSocketTicketResponse(ticket, (int)Lifetime.TotalSeconds);
    }

    /// <summary>The ticket's grant the first time it is redeemed in time; null for anything else (no grain call for garbage).</summary>
    public static async Task<WebSocketTicket?> RedeemAsync(IClusterClient cluster, string? ticket)
    {
        if (ticket is not { Length: TicketLength } || !Base64Url.IsValid(ticket))
        {
            return null;
        }

        return await cluster.GetGrain<IWebSocketTicketGrain>(KeyOf(ticket)).RedeemAsync();
    }

    private static string KeyOf(string ticket) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(ticket)));
}
