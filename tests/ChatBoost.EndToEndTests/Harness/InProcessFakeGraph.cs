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
        // The fake stamps each request when it handles it, and judges the rate by those stamps: a thread-pool stall in this
        // process (threads are injected about one per half second once the minimum is busy) releases the requests that
        // queued meanwhile at one instant and fakes a burst — seen as a 665 ms gap and then 11 arrivals 0 ms apart, which
        // the strict one-second window answered with 130429, although the silo had sent them 55 ms apart.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        string[] rateArgs = ratePerSecond is { } rate ? [$"--FAKE_GRAPH_RATE_PER_SECOND={rate}"] : [];
        var fake = FakeGraphApiApp.Build(["--urls", "http://127.0.0.1:0", "--FAKE_GRAPH_ANY_PHONE_NUMBER=true", .. rateArgs]);
        await fake.StartAsync();
        return fake;
    }
}
