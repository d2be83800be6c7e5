using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>A two-silo system with a low per-IP limit: failed logins are counted cluster-wide.</summary>
public sealed class TwoSiloSystemFixture : IAsyncLifetime
{
    public ChatBoostSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await ChatBoostSystem.StartAsync(silos: 2, environment: new Dictionary<string, string?> { ["LOGIN_MAX_FAILURES_PER_IP"] = "4" });

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
        await Http.RegisterAsync(victim);

        for (var i = 0; i < 4; i++)
        {
            // Different (unknown) accounts each time: only the per-address limit can trip.
            AssertProblem(HttpStatusCode.Unauthorized, await Http.PostJsonAsync("/auth/token", new { username = UniqueEmail("ip-probe"), password = "wrong password" }));
        }

        var blocked = await Http.PostJsonAsync("/auth/token", new { username = victim, password = DefaultPassword });
        AssertProblem(HttpStatusCode.TooManyRequests, blocked);
        Assert.NotNull(blocked.Response.Headers.RetryAfter?.Delta);
    }
}
