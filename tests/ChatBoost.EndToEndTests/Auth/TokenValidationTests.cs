using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>Only tokens we signed, for a live user, within their lifetime, are accepted.</summary>
[Collection(SystemCollection.Name)]
public class TokenValidationTests(SharedSystemFixture fixture)
{
    private HttpClient Http => fixture.System.Http;

    [Fact]
    public async Task AForgedTokenWithTheRightKeyIsAcceptedSoTheNegativeCasesMeanSomething()
    {
        var user = await Http.NewUserAsync("forge");
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/auth/me", JwtForge.Create(user.Id))).Status);
    }

    public static TheoryData<string, Func<long, string>> BadTokens() => new()
    {
        { "garbage", _ => "not-a-jwt" },
        { "expired", id => JwtForge.Create(id, expires: DateTimeOffset.UtcNow.AddMinutes(-5)) },
        { "foreign key", id => JwtForge.Create(id, key: "someone-elses-secret-key-that-is-long-enough-too") },
        { "alg none", id => JwtForge.Create(id, alg: "none") },
        { "HS512", id => JwtForge.Create(id, alg: "HS512") },
        { "wrong issuer", id => JwtForge.Create(id, issuer: "evil") },
        { "wrong audience", id => JwtForge.Create(id, audience: "other-api") },
        { "unknown user", _ => JwtForge.Create(987_654_321) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadTokensAre401(string name, Func<long, string> token)
    {
        var user = await Http.NewUserAsync("bad-token");
        var result = await Http.GetJsonAsync("/auth/me", token(user.Id));
        Assert.True(result.Status == HttpStatusCode.Unauthorized, name);
        AssertProblem(HttpStatusCode.Unauthorized, result);
    }

    [Fact]
    public async Task NoTokenIs401() => AssertProblem(HttpStatusCode.Unauthorized, await Http.GetJsonAsync("/auth/me"));

    [Fact]
    public async Task ProtectedListNeedsAToken() => AssertProblem(HttpStatusCode.Unauthorized, await Http.GetJsonAsync("/auth/users"));
}
