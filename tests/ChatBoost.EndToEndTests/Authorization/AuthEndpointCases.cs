using System.Net;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Auth module's rows. Register and token are anonymous by design (they are how a caller gets a token), so a
/// bearer token neither helps nor hinders; me and users need a signed-in caller.
/// </summary>
public static class AuthEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("POST /auth/register",
            _ => (HttpMethod.Post, "/auth/register", new { email = UniqueEmail("matrix-registered"), password = DefaultPassword }),
            Everyone(HttpStatusCode.Created));
        yield return new("POST /auth/token",
            s => (HttpMethod.Post, "/auth/token", new { username = s.Users.Spare.Email, password = DefaultPassword }),
            Everyone(HttpStatusCode.OK));
        yield return new("GET /auth/me", _ => (HttpMethod.Get, "/auth/me", null), Expect.AnyUser());
        yield return new("GET /auth/users", _ => (HttpMethod.Get, "/auth/users", null), Expect.AnyUser());
    }

    internal static Dictionary<Caller, HttpStatusCode> Everyone(HttpStatusCode status) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, _ => status);
}
