using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Auth;

/// <summary>
/// The login throttle against the real processes. The harness trusts loopback as a proxy, so each test
/// names its clients with X-Forwarded-For (a fresh documentation-range address per test).
/// </summary>
[Collection(SystemCollection.Name)]
public class LoginThrottleTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;
    private HttpClient Http => _system.Http;

    [Fact]
    public async Task TwoHundredParallelWrongPasswordsAreEvaluatedAtMostFiveTimes()
    {
        // Before: the check and the count were separate calls around BCrypt, so all 200 were evaluated.
        var email = UniqueEmail("parallel");
        await Http.RegisterAsync(email);
        var attacker = NewIPv4Client();
        var guesses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => LoginFromAsync(attacker, email, $"wrong password {i}")));

        // A 401 is a guess whose password was checked; every other guess was refused before BCrypt ran.
        Assert.Equal(5, guesses.Count(g => g.Status == HttpStatusCode.Unauthorized));
        Assert.Equal(195, guesses.Count(g => g.Status == HttpStatusCode.TooManyRequests));
        Assert.All(guesses.Where(g => g.Status == HttpStatusCode.TooManyRequests), g => Assert.NotNull(g.Response.Headers.RetryAfter?.Delta));

        // The attacker's client is locked out of this account, even with the right password; the user elsewhere is not.
        AssertProblem(HttpStatusCode.TooManyRequests, await LoginFromAsync(attacker, email, DefaultPassword));
        Assert.Equal(HttpStatusCode.OK, (await LoginFromAsync(NewIPv4Client(), email, DefaultPassword)).Status);
    }

    [Fact]
    public async Task AnIPv6SubscriberIsOneClientPerSlash64()
    {
        var email = UniqueEmail("ipv6");
        await Http.RegisterAsync(email);
        var prefix = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";
        for (var i = 0; i < 5; i++)
        {
            // A different address of the same /64 each time: one bucket.
            AssertProblem(HttpStatusCode.Unauthorized, await LoginFromAsync($"{prefix}::{i + 1:x}", email, "wrong password"));
        }

        AssertProblem(HttpStatusCode.TooManyRequests, await LoginFromAsync($"{prefix}::abcd", email, DefaultPassword));
        Assert.Equal(HttpStatusCode.OK, (await LoginFromAsync("2001:db8:ffff:ffff::1", email, DefaultPassword)).Status);
    }

    [Fact]
    public async Task ADeactivatedAccountAnswersLikeAWrongPasswordAndKeepsItsThrottle()
    {
        var admin = await Http.RegisterVerifiedAsync(SharedSystemFixture.AdminEmail);
        var user = await Http.NewUserAsync("deactivated");
        var client = NewIPv4Client();
        for (var i = 0; i < 4; i++)
        {
            AssertProblem(HttpStatusCode.Unauthorized, await LoginFromAsync(client, user.Email, "wrong password"));
        }

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/admin/users/{user.Id}/deactivate", null, admin)).Status);
        var wrong = await LoginFromAsync(NewIPv4Client(), user.Email, "wrong password");
        var rightButDeactivated = await LoginFromAsync(client, user.Email, DefaultPassword);

        // Before: 403 "This account is deactivated." — which said the password was right — and a reset throttle.
        AssertProblem(HttpStatusCode.Unauthorized, rightButDeactivated);
        foreach (var field in new[] { "type", "title", "status", "detail" })
        {
            Assert.Equal(wrong.Body![field]!.ToJsonString(), rightButDeactivated.Body![field]!.ToJsonString());
        }

        Assert.Equal(wrong.Body!.AsObject().Select(p => p.Key), rightButDeactivated.Body!.AsObject().Select(p => p.Key));
        Assert.Equal(wrong.Response.Headers.WwwAuthenticate.ToString(), rightButDeactivated.Response.Headers.WwwAuthenticate.ToString());

        // The deactivated attempt counted as the fifth failure: after reactivation this client still waits.
        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync($"/team/admin/users/{user.Id}/activate", null, admin)).Status);
        AssertProblem(HttpStatusCode.TooManyRequests, await LoginFromAsync(client, user.Email, DefaultPassword));
    }

    [Fact]
    public async Task ALockoutSurvivesARestartOfTheSiloAndTheApi()
    {
        var email = UniqueEmail("restart");
        await Http.RegisterAsync(email);
        var client = NewIPv4Client();
        for (var i = 0; i < 5; i++)
        {
            AssertProblem(HttpStatusCode.Unauthorized, await LoginFromAsync(client, email, "wrong password"));
        }

        await _system.RestartAsync();

        // Before: the counters lived in grain memory and a restart forgot them.
        AssertProblem(HttpStatusCode.TooManyRequests, await LoginFromAsync(client, email, DefaultPassword));
        Assert.Equal(HttpStatusCode.OK, (await LoginFromAsync(NewIPv4Client(), email, DefaultPassword)).Status);
    }

    [Fact]
    public async Task LoginsKeepWorkingDuringARegistrationFlood()
    {
        var email = UniqueEmail("flooded");
        await Http.RegisterAsync(email);

        // 60 registrations at once: the registration queue (half the cores running, 16 waiting in the harness) fills.
        var flood = Enumerable.Range(0, 60)
            .Select(_ => Http.PostJsonAsync("/auth/register", new { email = UniqueEmail("flood"), password = DefaultPassword }))
            .ToList();
        while (!flood.Any(t => t.IsCompletedSuccessfully && t.Result.Status == HttpStatusCode.ServiceUnavailable))
        {
            Assert.Contains(flood, t => !t.IsCompleted);
            await Task.WhenAny(flood.Where(t => !t.IsCompleted));
        }

        // With the registration queue full, a login goes through its own queue and succeeds before the flood drains.
        var login = await LoginFromAsync(NewIPv4Client(), email, DefaultPassword);
        var stillQueued = flood.Count(t => !t.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, login.Status);
        Assert.True(stillQueued > 0, "every registration had finished before the login did");

        var results = await Task.WhenAll(flood);
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, r.Status.ToString()));
        Assert.All(results.Where(r => r.Status == HttpStatusCode.ServiceUnavailable), r => Assert.NotNull(r.Response.Headers.RetryAfter));
        Assert.Contains(results, r => r.Status == HttpStatusCode.Accepted);
    }

    private Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> LoginFromAsync(string client, string email, string password)
    {
        var request = Json(HttpMethod.Post, "/auth/token", new { username = email, password });
        request.Headers.Add("X-Forwarded-For", client);
        return Http.CallAsync(request);
    }

    private static string NewIPv4Client() => $"198.51.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";
}
