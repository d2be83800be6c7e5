using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ChatBoost.Telemetry;

/// <summary>
/// Telemetry for either process, from one call after the host's logging is set up: JSON logs with trace ids when
/// <c>LOG_FORMAT=json</c>; OpenTelemetry metrics (ChatBoost's own, Orleans', ASP.NET Core's, HttpClient's, Npgsql's, the
/// runtime's) and traces (ASP.NET Core, the Orleans grain calls, HttpClient, Npgsql); OTLP export when the standard
/// <c>OTEL_*</c> variables name an endpoint; the operations port (<see cref="OpsServer"/>) when <c>OPS_PORT</c> is set.
/// </summary>
/// <remarks>
/// Tracing is on even without an exporter: Orleans and HttpClient propagate a trace context (W3C <c>traceparent</c>) only
/// for an activity that exists, and an activity exists only while something listens to its source. The grains' calls
/// need <c>AddActivityPropagation()</c> on the silo and the client besides.
/// </remarks>
public static class TelemetryServices
{
    /// <summary>The Orleans meter and activity sources.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>Npgsql's meter and activity source (what its OpenTelemetry package adds, by name, so no driver here).</summary>
    public const string Npgsql = "Npgsql";

    public static TelemetrySettings AddChatBoostTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = TelemetrySettings.Load(builder.Configuration);
        if (settings.LogFormat == LogFormat.Json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true; // the trace and span ids are a scope (ActivityTrackingOptions below)
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddChatBoostMetrics();
        var otel = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
        {
            otel.ConfigureResource(r => r.AddService(serviceName));
        }

        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(ChatBoostMetrics.MeterName, OrleansMeter, Npgsql)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation();
            if (settings.OpsPort is not null)
            {
                metrics.AddPrometheusExporter();
            }

            if (settings.OtlpExport)
            {
                metrics.AddOtlpExporter();
            }
        });
        otel.WithTracing(tracing =>
        {
            tracing.AddSource(OrleansSources).AddSource(Npgsql)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation();
            if (settings.OtlpExport)
            {
                tracing.AddOtlpExporter();
            }
        });

        if (settings.OpsPort is not null)
        {
            services.AddHealthChecks();
            services.AddHostedService<OpsServer>();
        }

        return settings;
    }

    /// <summary><see cref="ChatBoostMetrics"/> and the meter factory it needs (also the grain-test silo's registration).</summary>
    public static IServiceCollection AddChatBoostMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ChatBoostMetrics>();
        return services;
    }
}
