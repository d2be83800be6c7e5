using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ChatBoost.Grains.WhatsApp.Outbound;
using Polly;

namespace ChatBoost.Grains.WhatsApp;

public static partial class WhatsAppServices
{
    /// <summary>The resilience pipeline of <see cref="WhatsAppCloudClient"/> (its name in Polly telemetry).</summary>
    public const string PipelineName = "whatsapp-cloud-api";

    /// <summary>
    /// Registers <see cref="WhatsAppClientOptions"/> (section <c>WhatsApp</c>, validated at start), the typed
    /// <see cref="WhatsAppCloudClient"/> with its resilience handler, and the cluster-wide <see cref="GrainSendPacer"/>
    /// (register another <see cref="IWhatsAppSendPacer"/> first to replace it, e.g. outside a silo), and the start-up
    /// <see cref="GraphClientWarmup"/>.
    /// </summary>
    public static IServiceCollection AddChatBoostWhatsApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWhatsAppSendPacer, GrainSendPacer>();
        services.AddOptions<WhatsAppClientOptions>()
            .Bind(configuration.GetSection(WhatsAppClientOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WhatsAppClientOptions>, WhatsAppClientOptionsValidator>());

        services.AddHttpClient<WhatsAppCloudClient>((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptionsMonitor<WhatsAppClientOptions>>().CurrentValue;
                client.BaseAddress = new Uri(options.ApiBaseUrl.TrimEnd('/') + "/");
                client.MaxResponseContentBufferSize = options.MaxResponseBytes;
                // The resilience pipeline owns the timeouts; this is only a backstop behind its total timeout.
                client.Timeout = options.TotalTimeout + TimeSpan.FromSeconds(10);
            })
            // Connections are recycled, so a client held for long (e.g. by a grain) still follows DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AutomaticDecompression = DecompressionMethods.All,
            })
            // The factory's default request logging must go: at Trace level it logs the request headers, and although
            // RedactLoggedHeaders masks the values in the formatted message, the structured state it hands to
            // ILogger still carries them raw ("Authorization=Bearer <token>"), which JSON/OpenTelemetry log exporters
            // write out (WhatsAppCloudClientTests caught it). This client logs its own outcomes, and Polly logs each
            // attempt, without headers. The redaction stays in case a logger is ever added back.
            .RemoveAllLoggers()
            .RedactLoggedHeaders(static _ => true)
            .AddResilienceHandler(PipelineName, ConfigurePipeline);
        // Before UseOrleans (the silo host calls this first), so the client is warm when the silo takes its first turn.
        services.AddHostedService<GraphClientWarmup>();
        return services;
    }

    /// <summary>
    /// Registers the outbox: the <see cref="OutboundSender"/> (idempotent by client id) and the <see cref="OutboxReconciler"/>,
    /// with <see cref="OutboundOptions"/> (section <c>Outbound</c>). Needs <see cref="AddChatBoostWhatsApp"/> and the
    /// silo's <see cref="Infrastructure.Database"/>.
    /// </summary>
    public static IServiceCollection AddChatBoostOutbound(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OutboundOptions>().Bind(configuration.GetSection(OutboundOptions.Section));
        services.TryAddSingleton<OutboundSender>();
        services.TryAddSingleton<OutboxReconciler>();
        return services;
    }

    /// <summary>
    /// Total timeout ⟶ retry (exponential back-off with jitter, Retry-After honoured, only what
    /// <see cref="GraphErrorClassifier"/> calls retryable; a throughput error also pauses the whole number) ⟶ pacing
    /// (every attempt waits for its rate-limit slot) ⟶ per-attempt timeout.
    /// </summary>
    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context)
    {
        var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<WhatsAppClientOptions>>().CurrentValue;
        var pacer = context.ServiceProvider.GetRequiredService<IWhatsAppSendPacer>();
        var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WhatsAppCloudClient).FullName!);

        pipeline.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => WhatsAppCloudClient.ShouldRetryAsync(args.Outcome, args.Context),
                OnRetry = async args =>
                {
                    if (args.Context.GetRequestMessage() is not { } request
                        || !request.Options.TryGetValue(WhatsAppCloudClient.AttemptStateKey, out var state))
                    {
                        return;
                    }

                    LogRetry(logger, state.PhoneNumberId, args.AttemptNumber + 1, state.LastFailureKind, (int?)args.Outcome.Result?.StatusCode,
                        args.Outcome.Exception?.GetType().Name, args.RetryDelay);
                    if (state.LastFailureKind == GraphErrorKind.RetryableThroughput)
                    {
                        // Meta says the number sends too fast: hold back every sender of it, not just this one.
                        await pacer.ReportThrottledAsync(state.PhoneNumberId, args.RetryDelay, args.Context.CancellationToken).ConfigureAwait(false);
                    }
                },
            });
        }

        // Inside the retry, outside the per-attempt timeout: each attempt (after any back-off) first waits for its own
        // rate-limit slot, so the attempt is sent at its slot and the waiting does not eat into the attempt's timeout.
        pipeline.AddStrategy(_ => new PacingStrategy(pacer), new PacingStrategyOptions());
        pipeline.AddTimeout(options.AttemptTimeout);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "WhatsApp send from {PhoneNumberId}: attempt {Attempt} failed ({Kind}, HTTP {HttpStatus}, {Exception}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string phoneNumberId, int attempt, GraphErrorKind? kind, int? httpStatus, string? exception, TimeSpan delay);

    private sealed class WhatsAppClientOptionsValidator : IValidateOptions<WhatsAppClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, WhatsAppClientOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
