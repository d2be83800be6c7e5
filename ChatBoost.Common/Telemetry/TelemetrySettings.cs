using System.Globalization;
using Microsoft.Extensions.Configuration;
using ChatBoost.Configuration;

namespace ChatBoost.Telemetry;

/// <summary>How a process writes its logs: single-line text (the default) or one JSON object per line with trace ids.</summary>
public enum LogFormat
{
    Text,
    Json,
}

/// <summary>
/// The operations settings both processes read: <c>OPS_PORT</c> (the Prometheus scrape endpoint and the health probes, on
/// a port of their own, never the public one), <c>LOG_FORMAT</c> (<c>text</c> | <c>json</c>), and whether OTLP export is on —
/// configured only by the standard <c>OTEL_*</c> variables, which the OpenTelemetry SDK reads itself; export is on when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a signal's own endpoint) is set.
/// </summary>
public sealed record TelemetrySettings(int? OpsPort, LogFormat LogFormat, bool OtlpExport)
{
    public const string OpsPortKey = "Ops:Port";
    public const string LogFormatKey = "Ops:LogFormat";

    /// <summary>The variables that turn OTLP export on (the SDK reads these and the rest of <c>OTEL_*</c> itself).</summary>
    public static readonly IReadOnlyList<string> OtlpEndpointVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    /// <exception cref="ConfigurationException">OPS_PORT or LOG_FORMAT is not valid.</exception>
    public static TelemetrySettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        int? opsPort = null;
        if (configuration[OpsPortKey] is { Length: > 0 } rawPort)
        {
            if (int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
            {
                opsPort = port;
            }
            else
            {
                problems.Add($"OPS_PORT must be a TCP port (1-65535), not '{rawPort}'.");
            }
        }

        var format = LogFormat.Text;
        switch (configuration[LogFormatKey]?.Trim().ToLowerInvariant())
        {
            case null or "" or "text":
                break;
            case "json":
                format = LogFormat.Json;
                break;
            case var other:
                problems.Add($"LOG_FORMAT must be 'text' or 'json', not '{other}'.");
                break;
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, problems));
        }

        var otlp = OtlpEndpointVariables.Any(v => !string.IsNullOrWhiteSpace(configuration[v]));
        return new TelemetrySettings(opsPort, format, otlp);
    }
}
