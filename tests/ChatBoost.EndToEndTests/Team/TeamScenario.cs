using System.Net;
using System.Text.RegularExpressions;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

/// <summary>Helpers for team tests: organizations with members, and invitation tokens read from the API log.</summary>
public static partial class TeamScenario
{
    public static async Task<long> CreateOrganizationAsync(this HttpClient http, string ownerToken, string name = "Team")
    {
        var (status, body, _) = await http.PostJsonAsync("/team/organizations", new { name }, ownerToken);
        Assert.Equal(HttpStatusCode.Created, status);
        return body!["id"]!.GetValue<long>();
    }

    /// <summary>
    /// Membership by consent: "add member" by user id answers 202 with an invitation for the account (never its e-mail
    /// address); the user joins by accepting the link mailed to them (here: logged by the API, which has no SMTP).
    /// </summary>
    public static async Task JoinAsync(this ChatBoostSystem system, long orgId, string actorToken, (long Id, string Email, string Token) user, string role)
    {
        var mark = system.Api.OutputLength;
        var (status, body, _) = await system.Http.PostJsonAsync($"/team/organizations/{orgId}/members", new { user_id = user.Id, role }, actorToken);
        Assert.True(status == HttpStatusCode.Accepted, $"add member: {status} {body?.ToJsonString()}");
        Assert.Equal(user.Id, body!["user_id"]!.GetValue<long>());
        Assert.DoesNotContain("@", body.ToJsonString(), StringComparison.Ordinal);
        var token = await TokenLoggedSinceAsync(system, user.Email, mark);
        var (accepted, joined, _) = await system.Http.PostJsonAsync($"/team/invitations/{token}/accept", null, user.Token);
        Assert.True(accepted == HttpStatusCode.OK, $"accept: {accepted} {joined?.ToJsonString()}");
    }

    /// <summary>The first invitation token logged for <paramref name="email"/> after the output mark <paramref name="mark"/>.</summary>
    public static async Task<string> TokenLoggedSinceAsync(ChatBoostSystem system, string email, int mark)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var link = AcceptLink().Matches(system.Api.OutputSince(mark))
                .FirstOrDefault(m => string.Equals(m.Groups["email"].Value, email, StringComparison.OrdinalIgnoreCase));
            if (link is not null)
            {
                return link.Groups["token"].Value;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"No new invitation for {email} in the API log.");
    }

    /// <summary>Invites <paramref name="email"/> and returns (invitation id, token). Without SMTP the API logs the accept link.</summary>
    public static async Task<(long Id, string Token)> InviteAsync(this ChatBoostSystem system, long orgId, string actorToken, string email, string role = "member")
    {
        var before = LinksFor(system, email).Count;
        var (status, body, _) = await system.Http.PostJsonAsync($"/team/organizations/{orgId}/invitations", new { email, role }, actorToken);
        Assert.True(status == HttpStatusCode.Created, $"{status} {body?.ToJsonString()}");
        Assert.False(body!["email_sent"]!.GetValue<bool>());
        Assert.DoesNotContain("token", body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        return (body["id"]!.GetValue<long>(), await NewTokenFromLogAsync(system, email, before));
    }

    /// <summary>The token of the invitation logged after the first <paramref name="seen"/> ones for this address.</summary>
    private static async Task<string> NewTokenFromLogAsync(ChatBoostSystem system, string email, int seen)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var links = LinksFor(system, email);
            if (links.Count > seen)
            {
                return links[seen];
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"No new invitation for {email} in the API log.");
    }

    private static List<string> LinksFor(ChatBoostSystem system, string email) =>
        [.. AcceptLink().Matches(system.Api.Output).Where(m => m.Groups["email"].Value == email).Select(m => m.Groups["token"].Value)];

    [GeneratedRegex(@"invitation for (?<email>\S+) to organization .*?/team/invitations/(?<token>[A-Za-z0-9_-]{43})/accept")]
    private static partial Regex AcceptLink();
}
