using ChatBoost.FakeGraphApi;
using Microsoft.AspNetCore.Builder;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// The fake Graph API started in the test process, answering for any phone number; with <c>ratePerSecond</c> it allows that
/// many sends in any second (130429 above), without it any number.
/// </summary>
public static class InProcessFakeGraph
{
    public static async Task<WebApplication> StartAsync(int? ratePerSecond = null)
    {
        FakeGraphApiApp.ReserveThreadsForRateJudging();
        string[] rateArgs = ratePerSecond is { } rate ? [$"--FAKE_GRAPH_RATE_PER_SECOND={rate}"] : [];
        var fake = FakeGraphApiApp.Build(["--urls", "http://127.0.0.1:0", "--FAKE_GRAPH_ANY_PHONE_NUMBER=true", .. rateArgs]);
        await fake.StartAsync();
        return fake;
    }
}
