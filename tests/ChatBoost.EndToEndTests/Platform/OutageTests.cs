using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Platform;

/// <summary>With every silo dead, the API answers quickly with 503 and Retry-After — never 401 or 500.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private ChatBoostSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?> { ["GRAIN_CALL_TIMEOUT_SECONDS"] = "3" });

    public Task DisposeAsync() => _system.DisposeAsync().AsTask();

    [Fact]
    public async Task ACrashedClusterIs503WithRetryAfter()
    {
        var user = await _system.Http.NewUserAsync("outage");
        await _system.Silos[0].KillAsync();

        var me = await _system.Http.GetJsonAsync("/auth/me", user.Token);
        AssertProblem(HttpStatusCode.ServiceUnavailable, me);
        Assert.NotNull(me.Response.Headers.RetryAfter);

        AssertProblem(HttpStatusCode.ServiceUnavailable, await _system.Http.PostJsonAsync("/auth/register", new { email = UniqueEmail("during-outage"), password = DefaultPassword }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _system.Http.GetJsonAsync("/health/ready")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _system.Http.GetJsonAsync("/health/live")).Status);
    }
}
