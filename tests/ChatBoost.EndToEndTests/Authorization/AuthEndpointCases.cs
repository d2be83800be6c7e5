using System.Net;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Auth module's rows. Registration, login and e-mail verification are anonymous by name
/// (AllowAnonymous under the fallback policy): every caller gets the same answer, a bearer token changes nothing.
/// </summary>
public static class AuthEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        yield return new("POST /auth/register",
            _ => (HttpMethod.Post, "/auth/register", new { email = UniqueEmail("matrix-register"), password = DefaultPassword }),
            Everyone(HttpStatusCode.Accepted));
        yield return new("POST /auth/token",
            s => (HttpMethod.Post, "/auth/token", new { username = s.Users.Spare.Email, password = DefaultPassword }),
            Everyone(HttpStatusCode.OK));
        yield return new("POST /auth/verify-email",
            _ => (HttpMethod.Post, "/auth/verify-email", new { token = new string('A', 43) }),
            Everyone(HttpStatusCode.NotFound));
        yield return new("GET /auth/me", _ => (HttpMethod.Get, "/auth/me", null), Expect.AnyUser());
        yield return new("GET /auth/users", _ => (HttpMethod.Get, "/auth/users", null), Expect.AnyUser());
    }

    internal static Dictionary<Caller, HttpStatusCode> Everyone(HttpStatusCode status) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, _ => status);
}
