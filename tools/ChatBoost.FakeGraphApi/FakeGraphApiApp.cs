namespace ChatBoost.FakeGraphApi;

/// <summary>
/// A stand-in for Meta's Graph API (WhatsApp Cloud API) for tests and the local sandbox. In-memory, thread-safe,
/// bounded. <c>Program</c> runs it; tests start it in-process on <c>--urls http://127.0.0.1:0</c>.
/// </summary>
public static class FakeGraphApiApp
{
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
