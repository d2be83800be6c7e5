using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace ChatBoost.Telemetry;

/// <summary>
/// The operations port (<c>OPS_PORT</c>) of either process: a Kestrel server of its own, apart from the public port, with
/// the Prometheus scrape endpoint <c>/metrics</c> and the probes <c>/health/live</c> (the process answers: never a
/// dependency) and <c>/health/ready</c> (the host's checks tagged <see cref="ReadyTag"/>). No authentication: the port is
/// meant for the scraper and the orchestrator, not for the internet (see docs/architecture.md, Operations).
/// </summary>
public sealed class OpsServer(IServiceProvider host, TelemetrySettings settings, ILogger<OpsServer> logger) : IHostedService, IAsyncDisposable
{
    public const string ReadyTag = "ready";
    public const string MetricsPath = "/metrics";

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = settings.OpsPort ?? throw new InvalidOperationException("OPS_PORT is not set.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.ListenAnyIP(port);
        });
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(host.GetRequiredService<MeterProvider>(), null, MetricsPath, null, null);
        var health = host.GetRequiredService<HealthCheckService>();
        app.MapGet("/health/live", (HttpContext context) => WriteAsync(context, new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero)));
        app.MapGet("/health/ready", async (HttpContext context) =>
            await WriteAsync(context, await health.CheckHealthAsync(c => c.Tags.Contains(ReadyTag), context.RequestAborted)));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        logger.LogInformation("Operations port {Port}: {MetricsPath}, /health/live, /health/ready", port, MetricsPath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    /// <summary>The probes' answer, on either port: 200 when healthy, else 503; the status of each check and why.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
            }),
        });
    }
}
