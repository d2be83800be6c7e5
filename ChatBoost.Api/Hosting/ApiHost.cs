using System.Text.Json;
using System.Text.Json.Serialization;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Flows;
using ChatBoost.Api.Health;
using ChatBoost.Api.Http;
using ChatBoost.Api.Notifications;
using ChatBoost.Api.Operations;
using ChatBoost.Api.Overload;
using ChatBoost.Api.Organizations;
using ChatBoost.Api.WhatsApp;
using ChatBoost.Configuration;
using ChatBoost.Telemetry;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;
using StackExchange.Redis;

namespace ChatBoost.Api.Hosting;

/// <summary>Builds the API: configuration, Orleans client, JSON, problem details, auth, OpenAPI, health, endpoints.</summary>
public static class ApiHost
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            EnvironmentName = EnvironmentVariables.ResolveEnvironmentName(),
        });
        builder.Configuration.AddChatBoostEnvironmentVariables();
        var settings = ChatBoostSettings.Load(builder.Configuration, builder.Environment.IsProduction());
        var webhookSettings = WhatsAppWebhookSettings.Load(builder.Configuration, builder.Environment.IsProduction());
        var clusterTls = ClusterTlsSettings.Load(builder.Configuration);
        var maxBody = builder.Configuration.GetValue("Api:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes);
        if (maxBody is < 1024 or > 64 * 1024 * 1024)
        {
            throw new ConfigurationException("MAX_REQUEST_BODY_BYTES must be between 1024 and 67108864.");
        }

        ConfigureLogging(builder, settings.Debug);
        builder.AddChatBoostTelemetry("chatboost-api");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = maxBody;
        });

        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = RedisClusteringOptions(settings.Redis));
            if (clusterTls is not null)
            {
                // The gateways require the cluster certificate from clients too, and the API accepts only a gateway that
                // presents it (pinned; see ClusterTlsSettings).
                client.UseTls(clusterTls.Certificate, o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (remote, _, _) => clusterTls.IsClusterMember(remote);
                });
            }
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = settings.Cluster.ServiceId;
                o.ClusterId = settings.Cluster.ClusterId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(settings.Cluster.ResponseTimeoutSeconds));
            client.UseConnectionRetryFilter<ClusterConnectionRetryFilter>();
            client.UseChatBoostClusterTuning();
            client.AddChatBoostOperations();
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(settings.Auth));
        services.AddSingleton(Options.Create(settings.Cluster));
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();

        var forwardedHeaders = ForwardedHeadersSetup.Options(builder.Configuration);
        services.AddSingleton(SmtpOptions.Load(builder.Configuration));
        services.AddSingleton<SmtpMailSender>();
        services.AddSingleton<InvitationMailer>();
        services.AddSingleton<AccountMailer>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton(sp => new LoginThrottle(sp.GetRequiredService<IClusterClient>(), settings.Auth));
        services.AddAuthRateLimits(settings.Auth);
        services.AddWebhookConcurrencyLimit(builder.Configuration);
        services.AddSingleton(sp => new TokenService(settings.Auth, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TokenService>>()));
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TokenService>((o, tokens) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = tokens.ValidationParameters();
            o.Events = new JwtBearerEvents { OnTokenValidated = CurrentUser.OnTokenValidatedAsync, OnChallenge = CurrentUser.OnChallengeAsync };
        });
        services.AddAuthorization(o => o.FallbackPolicy = FallbackAuthorization.Policy);
        services.AddPlatformAdminPolicy();

        services.AddHealthChecks().AddCheck<ClusterReadinessCheck>("cluster", tags: [HealthEndpoints.ReadyTag]);
        services.AddChatBoostOpenApi();
        services.AddWhatsAppWebhooks(webhookSettings);
        services.AddChatBoostNotificationStreams(builder.Configuration);

        var app = builder.Build();
        if (forwardedHeaders is not null)
        {
            app.UseForwardedHeaders(forwardedHeaders);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMalformedRouteIds();
        app.UseChatBoostDocs();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseNotificationWebSockets();

        app.MapChatBoostOpenApi();
        app.MapHealthEndpoints();
        var api = app.MapGroup("").AddEndpointFilter<BodyProblemFilter>().WithImpliedProblemResponses();
        api.MapAuthEndpoints();
        api.MapTeamEndpoints();
        api.MapPlatformAdminEndpoints();
        api.MapBotEndpoints();
        api.MapFlowEndpoints();
        api.MapWhatsAppWebhookEndpoints();
        api.MapWhatsAppSendEndpoints();
        ChatBoost.Api.Flows.ExecutionEndpoints.MapExecutionEndpoints(api);
        ChatBoost.Api.Contacts.ContactEndpoints.MapContactEndpoints(api);
        ChatBoost.Api.Analytics.AnalyticsEndpoints.MapAnalyticsEndpoints(api);
        ChatBoost.Api.Triggers.TriggerEndpoints.MapTriggerEndpoints(api);
        api.MapNotificationEndpoints();
        app.MapDashboardEndpoints();
        app.LogRouteTableOnStart();
        return app;
    }

    /// <summary>
    /// StackExchange.Redis options for <c>REDIS_URL</c>: the credentials are set as properties, never through the
    /// configuration string (which a password containing a comma would break, and which may be logged).
    /// </summary>
    public static ConfigurationOptions RedisClusteringOptions(RedisConnection redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var options = ConfigurationOptions.Parse(redis.Configuration);
        options.User = redis.User ?? options.User;
        options.Password = redis.Password ?? options.Password;
        return options;
    }

    /// <summary>The seed's JSON: snake_case names and enum values, no nulls dropped, strict numbers.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, bool debug)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (debug)
        {
            builder.Logging.AddFilter("ChatBoost", LogLevel.Debug);
        }
    }
}
