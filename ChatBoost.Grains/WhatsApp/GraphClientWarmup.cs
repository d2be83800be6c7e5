using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// At silo start, before Orleans starts (hosted services start in registration order), calls
/// <see cref="WhatsAppCloudClient.WarmUpAsync"/> once, bounded by <see cref="Budget"/>. Measured: without it the first
/// sends of a restarted silo resuming a broadcast left on their slots 55 ms apart but reached the fake Graph API within
/// 60 ms (the cold HTTP stack released them together), and Meta's one-second window answered 130429. A Graph API that
/// cannot be reached delays the start by at most the budget and is only logged: sends report their own failures.
/// </summary>
internal sealed partial class GraphClientWarmup(WhatsAppCloudClient client, ILogger<GraphClientWarmup> logger) : IHostedService
{
    internal static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Budget);
        var watch = Stopwatch.StartNew();
        try
        {
            var status = await client.WarmUpAsync(bounded.Token).ConfigureAwait(false);
            LogWarmed(logger, watch.ElapsedMilliseconds, status);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogNotWarmed(logger, watch.ElapsedMilliseconds, e.GetType().Name, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Graph API client warmed at start in {ElapsedMs} ms (HTTP {HttpStatus})")]
    private static partial void LogWarmed(ILogger logger, long elapsedMs, int httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Graph API not reached at start within {ElapsedMs} ms ({Exception}: {Reason}); the first sends will open their own connections")]
    private static partial void LogNotWarmed(ILogger logger, long elapsedMs, string exception, string reason);
}
