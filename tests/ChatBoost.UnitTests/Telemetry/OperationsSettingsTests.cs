using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using ChatBoost.Api.Overload;
using ChatBoost.Configuration;
using ChatBoost.Telemetry;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Telemetry;

public class OperationsSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Telemetry_DefaultsToTextLogsNoOpsPortNoExport()
    {
        Assert.Equal(new TelemetrySettings(null, LogFormat.Text, false), TelemetrySettings.Load(Config()));
    }

    [Fact]
    public void Telemetry_ReadsOpsPortJsonAndTheOtlpEndpoint()
    {
        var settings = TelemetrySettings.Load(Config((TelemetrySettings.OpsPortKey, "9464"), (TelemetrySettings.LogFormatKey, "JSON"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));
        Assert.Equal(new TelemetrySettings(9464, LogFormat.Json, true), settings);
    }

    [Theory]
    [InlineData("0", "text")]
    [InlineData("70000", "text")]
    [InlineData("nine", "text")]
    [InlineData("9464", "xml")]
    public void Telemetry_RefusesBadValues(string port, string format)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            TelemetrySettings.Load(Config((TelemetrySettings.OpsPortKey, port), (TelemetrySettings.LogFormatKey, format))));
        Assert.Contains(port == "9464" ? "LOG_FORMAT" : "OPS_PORT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConcurrency_DefaultsAndLimiterOptions()
    {
        var settings = WebhookConcurrencySettings.Load(Config());
        Assert.Equal(new WebhookConcurrencySettings(64, 64), settings);
        var options = WebhookConcurrencySettings.Load(Config((WebhookConcurrencySettings.PermitLimitKey, "2"), (WebhookConcurrencySettings.QueueLimitKey, "0"))).LimiterOptions();
        Assert.Equal(2, options.PermitLimit);
        Assert.Equal(0, options.QueueLimit);
        Assert.Equal(QueueProcessingOrder.OldestFirst, options.QueueProcessingOrder);
    }

    [Fact]
    public void WebhookConcurrency_ALimiterFromTheSettingsRefusesPastLimitAndQueue()
    {
        using var limiter = new ConcurrencyLimiter(new WebhookConcurrencySettings(2, 0).LimiterOptions());
        using var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();
        using var third = limiter.AttemptAcquire();
        Assert.True(first.IsAcquired && second.IsAcquired);
        Assert.False(third.IsAcquired);
    }

    [Theory]
    [InlineData(WebhookConcurrencySettings.PermitLimitKey, "0", "WEBHOOK_CONCURRENCY_LIMIT")]
    [InlineData(WebhookConcurrencySettings.QueueLimitKey, "-1", "WEBHOOK_QUEUE_LIMIT")]
    public void WebhookConcurrency_RefusesOutOfRange(string key, string value, string variable)
    {
        var e = Assert.Throws<ConfigurationException>(() => WebhookConcurrencySettings.Load(Config((key, value))));
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadShedding_OnByDefault_AndConfigurable()
    {
        Assert.Equal(new LoadSheddingSettings(true, 95, 90), LoadSheddingSettings.Load(Config()));
        Assert.Equal(new LoadSheddingSettings(false, 80, 70), LoadSheddingSettings.Load(Config(
            (LoadSheddingSettings.EnabledKey, "false"), (LoadSheddingSettings.CpuKey, "80"), (LoadSheddingSettings.MemoryKey, "70"))));
        Assert.Throws<ConfigurationException>(() => LoadSheddingSettings.Load(Config((LoadSheddingSettings.CpuKey, "101"))));
    }

    [Fact]
    public void EveryOperationsVariableIsMapped()
    {
        Assert.Equal(TelemetrySettings.OpsPortKey, EnvironmentVariables.Map["OPS_PORT"]);
        Assert.Equal(TelemetrySettings.LogFormatKey, EnvironmentVariables.Map["LOG_FORMAT"]);
        Assert.Equal(WebhookConcurrencySettings.PermitLimitKey, EnvironmentVariables.Map["WEBHOOK_CONCURRENCY_LIMIT"]);
        Assert.Equal(WebhookConcurrencySettings.QueueLimitKey, EnvironmentVariables.Map["WEBHOOK_QUEUE_LIMIT"]);
        Assert.Equal(LoadSheddingSettings.CpuKey, EnvironmentVariables.Map["ORLEANS_LOAD_SHEDDING_CPU_PERCENT"]);
    }

    [Fact]
    public void Metrics_SendsCountByOutcome_AndSentOnesAreMessagesOut()
    {
        var factory = TestMetrics.MeterFactory();
        var metrics = new ChatBoostMetrics(factory);
        var seen = new List<(string Instrument, long Value, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ChatBoostMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            seen.Add((instrument.Name, value, outcome));
        });
        listener.Start();

        metrics.SendFinished(SendOutcomes.Sent);
        metrics.SendFinished(SendOutcomes.InDoubt);
        metrics.MessagesRecorded(0);

        Assert.Equal(
            [(ChatBoostMetrics.Sends, 1L, SendOutcomes.Sent), (ChatBoostMetrics.MessagesOut, 1L, null), (ChatBoostMetrics.Sends, 1L, SendOutcomes.InDoubt)],
            seen);
    }
}
