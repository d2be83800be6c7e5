namespace ChatBoost.FakeGraphApi;

/// <summary>
/// A stand-in for Meta's Graph API (WhatsApp Cloud API) for tests and the local sandbox. In-memory, thread-safe,
/// bounded. <c>Program</c> runs it; tests start it in-process on <c>--urls http://127.0.0.1:0</c>.
/// </summary>
public static class FakeGraphApiApp
{
    /// <summary>
    /// For a host that runs the fake in its own process next to other work (a test, a benchmark): the fake stamps each
    /// request when its handler runs and judges the rate by those stamps, so a thread-pool stall in that process (threads
    /// are injected about one per half second once the minimum is busy) would release the requests queued meanwhile at one
    /// instant and fake a burst Meta would not see — seen as a 665 ms gap, then 11 arrivals 0 ms apart, answered 130429
    /// although the silo had sent them 55 ms apart. Raises the process's thread-pool minimum to 64 (never lowers it).
    /// </summary>
    public static void ReserveThreadsForRateJudging()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }

    public static WebApplication Build(string[] args, TimeProvider? timeProvider = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        var options = FakeGraphOptions.FromConfiguration(builder.Configuration);
        var time = timeProvider ?? TimeProvider.System;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<FakeGraphState>();
        builder.Services.AddHttpClient<WebhookPoster>(client => client.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<GraphEndpoints>();

        var app = builder.Build();
        var state = app.Services.GetRequiredService<FakeGraphState>();
        var poster = app.Services.GetRequiredService<WebhookPoster>();
        new ControlEndpoints(state, poster, time).Map(app);
        app.Services.GetRequiredService<GraphEndpoints>().Map(app);
        return app;
    }
}
