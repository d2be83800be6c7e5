using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>
/// A two-silo system with a low per-IP limit and a low per-client registration limit, and no trusted proxy
/// (so X-Forwarded-For must be ignored): failed logins are counted cluster-wide.
/// </summary>
public sealed class TwoSiloSystemFixture : IAsyncLifetime
{
    public ChatBoostSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await ChatBoostSystem.StartAsync(silos: 2, environment: new Dictionary<string, string?>
        {
            ["LOGIN_MAX_FAILURES_PER_IP"] = "4",
            ["REGISTRATIONS_PER_HOUR_PER_CLIENT"] = "3",
            ["TRUSTED_PROXIES"] = "",
        });

    public Task DisposeAsync() => System.DisposeAsync().AsTask();
}

public class ClusterWideThrottleTests(TwoSiloSystemFixture fixture) : IClassFixture<TwoSiloSystemFixture>
{
    private HttpClient Http => fixture.System.Http;

    [Fact]
    public async Task FailedLoginsFromOneAddressAreLimitedAcrossAccountsAndSilos()
    {
        // Two silos started together and migrated the same database concurrently.
        Assert.Equal(2, fixture.System.Silos.Count);
        var victim = UniqueEmail("ip-victim");

        // The victim's registration may meet this fixture's registration limit (the other test spends it);
        // the per-address limit below trips whether or not the account exists.
        await Http.PostJsonAsync("/auth/register", new { email = victim, password = DefaultPassword });
        for (var i = 0; i < 4; i++)
        {
            // Different (unknown) accounts each time: only the per-address limit can trip. Each claims another
            // client in X-Forwarded-For, which counts for nothing from a proxy that is not trusted.
            var probe = Json(HttpMethod.Post, "/auth/token", new { username = UniqueEmail("ip-probe"), password = "wrong password" });
            probe.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            AssertProblem(HttpStatusCode.Unauthorized, await Http.CallAsync(probe));
        }

        var blocked = await Http.PostJsonAsync("/auth/token", new { username = victim, password = DefaultPassword });
        AssertProblem(HttpStatusCode.TooManyRequests, blocked);
        Assert.NotNull(blocked.Response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task RegistrationsAreLimitedPerClient()
    {
        var answers = new List<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await Http.PostJsonAsync("/auth/register", new { email = UniqueEmail("limited"), password = DefaultPassword }));
        }

        // At most 3 an hour from one client (the other test may have spent one): the 4th at the latest is 429.
        var refused = answers.First(a => a.Status == HttpStatusCode.TooManyRequests);
        AssertProblem(HttpStatusCode.TooManyRequests, refused);
        Assert.NotNull(refused.Response.Headers.RetryAfter);
        Assert.All(answers.TakeWhile(a => a.Status != HttpStatusCode.TooManyRequests), a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
    }
}
