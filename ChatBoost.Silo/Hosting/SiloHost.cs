using System.Data.Common;
using System.Net;
using ChatBoost.Configuration;
using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Notifications;
using ChatBoost.Grains.Organizations;
using ChatBoost.Grains.Triggers;
using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Grains.WhatsApp.Outbound;
using ChatBoost.Silo.Operations;
using ChatBoost.Telemetry;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.Connections.Security;
using StackExchange.Redis;

namespace ChatBoost.Silo.Hosting;

/// <summary>Builds the silo host: configuration, Redis clustering, ADO.NET storage and reminders, services.</summary>
public static class SiloHost
{
    public const string StorageProviderName = "Default";
    public const string AdoNetInvariant = "Npgsql";

    public static IHost Build(string[] args, out ChatBoostSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            EnvironmentName = EnvironmentVariables.ResolveEnvironmentName(),
        });
        builder.Configuration.AddChatBoostEnvironmentVariables();
        settings = ChatBoostSettings.Load(builder.Configuration, builder.Environment.IsProduction());
        var endpoints = SiloEndpointSettings.Load(builder.Configuration);
        var defaultCredentials = WhatsAppDefaultCredentialsPolicy.Load(builder.Configuration, builder.Environment.IsProduction());
        var keyRing = KeyRingProtectionSettings.Load(builder.Configuration, builder.Environment.IsProduction());
        var clusterTls = ClusterTlsSettings.Load(builder.Configuration);
        var smtp = SmtpOptions.Load(builder.Configuration); // at start: a bad SMTP_* setting (SMTP_CA_FILE) stops the silo here

        ConfigureLogging(builder, settings.Debug);
        builder.AddChatBoostTelemetry("chatboost-silo");
        builder.Services.AddSingleton(smtp);
        AddChatBoostServices(builder.Services, settings, builder.Configuration, defaultCredentials, keyRing);

        var orleansConnectionString = DatabasePools.From(settings).Orleans;
        var redis = settings.Redis;
        var cluster = settings.Cluster;
        if (cluster.RedisStartupWaitSeconds > 0)
        {
            // Registered before UseOrleans: it must finish before the silo's own start touches the membership table.
            builder.Services.AddHostedService(services => new RedisMembershipWait(
                RedisClusteringOptions(redis), TimeSpan.FromSeconds(cluster.RedisStartupWaitSeconds),
                services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<RedisMembershipWait>>()));
        }

        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisClusteringOptions(redis));
            silo.UseChatBoostClusterTuning(RedisClusteringOptions(redis));
            if (clusterTls is not null)
            {
                // Mutual TLS on silo-to-silo and gateway connections: every peer, silo or API, must present the
                // cluster certificate itself (pinned; see ClusterTlsSettings).
                silo.UseTls(clusterTls.Certificate, o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (remote, _, _) => clusterTls.IsClusterMember(remote);
                });
            }

            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = cluster.ServiceId;
                o.ClusterId = cluster.ClusterId;
            });
            if (string.IsNullOrWhiteSpace(endpoints.AdvertisedIp))
            {
                silo.ConfigureEndpoints(endpoints.Port, endpoints.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(endpoints.AdvertisedIp), endpoints.Port, endpoints.GatewayPort, listenOnAnyHostAddress: true);
            }

            ConfigurePersistence(silo, orleansConnectionString);
            // The outbox reconciler's reminder exists from the first silo start on (registering it again is a no-op).
            silo.AddStartupTask(static (services, _) =>
                services.GetRequiredService<IGrainFactory>().GetGrain<IOutboxReconcilerGrain>(0).StartAsync());
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(cluster.ResponseTimeoutSeconds));
            silo.AddChatBoostOperations(builder.Configuration);
        });

        return builder.Build();
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

    /// <summary>Grain state and reminders in PostgreSQL through Orleans' ADO.NET providers. Shared with the grain tests.</summary>
    public static void ConfigurePersistence(ISiloBuilder silo, string connectionString)
    {
        silo.AddAdoNetGrainStorage(StorageProviderName, o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = AdoNetInvariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>
    /// The services grains depend on: the one registration path, shared with the grain tests' silo (a grain test checks
    /// that every grain's constructor can be satisfied from it).
    /// </summary>
    public static void AddChatBoostServices(
        IServiceCollection services,
        ChatBoostSettings settings,
        IConfiguration configuration,
        WhatsAppDefaultCredentialsPolicy? defaultCredentials = null,
        KeyRingProtectionSettings? keyRing = null)
    {
        // Orleans' ADO.NET providers find the driver by its invariant name.
        DbProviderFactories.RegisterFactory(AdoNetInvariant, NpgsqlFactory.Instance);
        services.AddSingleton(TimeProvider.System);
        services.AddChatBoostMetrics();
        services.AddSingleton(_ => NpgsqlDataSource.Create(DatabasePools.From(settings).Query));
        services.AddSingleton<Database>();
        services.AddChatBoostSecretProtection(keyRing);
        services.AddSingleton<OrganizationProjection>();
        services.AddSingleton<IIncomingGrainCallFilter, DependencyFailureFilter>();
        services.AddChatBoostMessageStore();
        services.AddChatBoostStatementWriter();
        services.AddSingleton<WhatsAppNumberCache>();
        services.AddSingleton<ContactIdentityResolver>();
        services.AddChatBoostFlowEngine();
        services.AddChatBoostWhatsApp(configuration);
        services.AddChatBoostOutbound(configuration);
        services.AddChatBoostContactEvents();
        services.AddChatBoostBots(defaultCredentials ?? WhatsAppDefaultCredentialsPolicy.Off);
        services.AddChatBoostOrganizations(configuration);
        services.AddChatBoostAnalytics();
        services.AddChatBoostTriggers();
        services.AddChatBoostNotifications(configuration);
    }

    private static void ConfigureLogging(HostApplicationBuilder builder, bool debug)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (debug)
        {
            builder.Logging.AddFilter("ChatBoost", LogLevel.Debug);
        }
    }
}
