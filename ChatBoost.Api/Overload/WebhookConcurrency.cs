using System.Globalization;
using System.Threading.RateLimiting;
using ChatBoost.Configuration;
using ChatBoost.Telemetry;
using Microsoft.AspNetCore.RateLimiting;

namespace ChatBoost.Api.Overload;

/// <summary>
/// <c>WEBHOOK_CONCURRENCY_LIMIT</c> and <c>WEBHOOK_QUEUE_LIMIT</c>: how many webhook deliveries one API process works on at
/// once, and how many more may wait for a slot. Past both, a delivery is answered 503 with Retry-After at once, before its
/// body is read, so a burst costs a refusal rather than a growing queue (Meta retries a 503 with back-off).
/// </summary>
public sealed record WebhookConcurrencySettings(int PermitLimit, int QueueLimit)
{
    public const string PermitLimitKey = "Webhooks:ConcurrencyLimit";
    public const string QueueLimitKey = "Webhooks:QueueLimit";
    public const int DefaultPermitLimit = 64;
    public const int DefaultQueueLimit = 64;

    /// <exception cref="ConfigurationException">A value is not a whole number in range.</exception>
    public static WebhookConcurrencySettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var permits = Read(configuration, PermitLimitKey, "WEBHOOK_CONCURRENCY_LIMIT", DefaultPermitLimit, 1, 10_000, problems);
        var queue = Read(configuration, QueueLimitKey, "WEBHOOK_QUEUE_LIMIT", DefaultQueueLimit, 0, 100_000, problems);
        return problems.Count > 0
            ? throw new ConfigurationException(string.Join(Environment.NewLine, problems))
            : new WebhookConcurrencySettings(permits, queue);
    }

    /// <summary>The limiter these settings make: oldest waiting delivery first.</summary>
    public ConcurrencyLimiterOptions LimiterOptions() => new()
    {
        PermitLimit = PermitLimit,
        QueueLimit = QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    private static int Read(IConfiguration configuration, string key, string variable, int fallback, int min, int max, List<string> problems)
    {
        if (configuration[key] is not { Length: > 0 } raw)
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{variable} must be a whole number from {min} to {max}, not '{raw}'.");
        return fallback;
    }
}

/// <summary>The webhook endpoints' rate-limiter policy: one concurrency limiter per process; a refusal is 503 + Retry-After.</summary>
public static class WebhookConcurrency
{
    public const string Policy = "webhook-concurrency";

    /// <summary>Seconds a refused delivery is told to wait.</summary>
    public const int RetryAfterSeconds = 1;

    public static IServiceCollection AddWebhookConcurrencyLimit(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = WebhookConcurrencySettings.Load(configuration);
        services.AddSingleton(settings);
        return services.AddRateLimiter(o => o.AddPolicy(Policy, new LimiterPolicy(settings)));
    }

    private sealed class LimiterPolicy(WebhookConcurrencySettings settings) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = static (rejected, _) =>
        {
            var context = rejected.HttpContext;
            context.RequestServices.GetRequiredService<ChatBoostMetrics>().WebhookAnswered(WebhookOutcomes.Overloaded);
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(TypedResults.Problem(
                "Too many webhook deliveries at once; retry shortly.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Service unavailable.").ExecuteAsync(context));
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetConcurrencyLimiter(Policy, _ => settings.LimiterOptions());
    }
}
