using System.Collections;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// The seed's environment variables (SECRET_KEY, DATABASE_URL, REDIS_URL, …) mapped onto configuration keys,
/// so options classes bind them like any other setting. They are added last, so they win over appsettings.
/// </summary>
public static class EnvironmentVariables
{
    /// <summary>Environment variable → configuration key. The table is the documentation of every setting.</summary>
    public static readonly IReadOnlyDictionary<string, string> Map = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DATABASE_URL"] = "Database:Url",
        ["DATABASE_POOL_SIZE"] = "Database:PoolSize",
        ["DATABASE_ORLEANS_POOL_SIZE"] = "Database:OrleansPoolSize",
        ["REDIS_URL"] = "Redis:Url",
        ["SECRET_KEY"] = "Auth:SecretKey",
        ["ACCESS_TOKEN_EXPIRE_MINUTES"] = "Auth:AccessTokenExpireMinutes",
        ["ADMIN_EMAILS"] = "Auth:AdminEmails",
        ["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = "Auth:LoginMaxFailuresPerAccount",
        ["LOGIN_MAX_FAILURES_PER_IP"] = "Auth:LoginMaxFailuresPerIp",
        ["LOGIN_FAILURE_WINDOW_SECONDS"] = "Auth:LoginFailureWindowSeconds",
        ["BCRYPT_WORK_FACTOR"] = "Auth:BcryptWorkFactor",
        ["LOGIN_MAX_FAILURES_PER_ACCOUNT_GLOBAL"] = "Auth:LoginMaxFailuresPerAccountGlobal",
        ["LOGIN_ACCOUNT_BACKOFF_WINDOW_SECONDS"] = "Auth:LoginAccountBackoffWindowSeconds",
        ["LOGIN_REQUESTS_PER_MINUTE_PER_CLIENT"] = "Auth:LoginRequestsPerMinutePerClient",
        ["REGISTRATIONS_PER_HOUR_PER_CLIENT"] = "Auth:RegistrationsPerHourPerClient",
        ["REGISTRATIONS_PER_MINUTE"] = "Auth:RegistrationsPerMinute",
        ["BCRYPT_LOGIN_QUEUE"] = "Auth:BcryptLoginQueue",
        ["BCRYPT_REGISTRATION_QUEUE"] = "Auth:BcryptRegistrationQueue",
        ["EMAIL_VERIFICATION_EXPIRE_HOURS"] = "Auth:EmailVerificationExpireHours",
        ["TRUSTED_PROXIES"] = "Api:TrustedProxies",
        ["ORLEANS_SERVICE_ID"] = "Cluster:ServiceId",
        ["ORLEANS_CLUSTER_ID"] = "Cluster:ClusterId",
        ["GRAIN_CALL_TIMEOUT_SECONDS"] = "Cluster:ResponseTimeoutSeconds",
        ["REDIS_STARTUP_WAIT_SECONDS"] = "Cluster:RedisStartupWaitSeconds",
        ["SILO_PORT"] = "Silo:Port",
        ["GATEWAY_PORT"] = "Silo:GatewayPort",
        ["SILO_ADVERTISED_IP"] = "Silo:AdvertisedIp",
        ["ORLEANS_TLS_CERTIFICATE_PATH"] = "ClusterTls:CertificatePath",
        ["ORLEANS_TLS_CERTIFICATE_PASSWORD"] = "ClusterTls:CertificatePassword",
        ["DATA_PROTECTION_CERTIFICATE_PATH"] = "DataProtection:CertificatePath",
        ["DATA_PROTECTION_CERTIFICATE_PASSWORD"] = "DataProtection:CertificatePassword",
        ["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"] = "DataProtection:AllowUnencryptedKeys",
        ["MAX_REQUEST_BODY_BYTES"] = "Api:MaxRequestBodyBytes",
        ["WEBHOOK_CONCURRENCY_LIMIT"] = "Webhooks:ConcurrencyLimit",
        ["WEBHOOK_QUEUE_LIMIT"] = "Webhooks:QueueLimit",
        ["OPS_PORT"] = "Ops:Port",
        ["LOG_FORMAT"] = "Ops:LogFormat",
        ["ORLEANS_LOAD_SHEDDING"] = "Silo:LoadShedding",
        ["ORLEANS_LOAD_SHEDDING_CPU_PERCENT"] = "Silo:LoadSheddingCpuPercent",
        ["ORLEANS_LOAD_SHEDDING_MEMORY_PERCENT"] = "Silo:LoadSheddingMemoryPercent",
        ["DEBUG"] = "Debug",
        ["SMTP_HOST"] = "Smtp:Host",
        ["SMTP_PORT"] = "Smtp:Port",
        ["SMTP_USERNAME"] = "Smtp:Username",
        ["SMTP_PASSWORD"] = "Smtp:Password",
        ["SMTP_FROM"] = "Smtp:From",
        ["SMTP_SECURITY"] = "Smtp:Security",
        ["SMTP_CA_FILE"] = "Smtp:CaFile",
        ["PUBLIC_BASE_URL"] = "Smtp:PublicBaseUrl",
        ["INVITATION_EXPIRE_DAYS"] = "Smtp:InvitationExpireDays",
        ["WHATSAPP_ACCESS_TOKEN"] = "WhatsApp:AccessToken",
        ["WHATSAPP_PHONE_NUMBER_ID"] = "WhatsApp:PhoneNumberId",
        ["WHATSAPP_BUSINESS_ACCOUNT_ID"] = "WhatsApp:BusinessAccountId",
        ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = "WhatsApp:WebhookVerifyToken",
        ["WHATSAPP_APP_SECRET"] = "WhatsApp:AppSecret",
        ["WHATSAPP_API_VERSION"] = "WhatsApp:ApiVersion",
        ["WHATSAPP_DEFAULT_CREDENTIALS"] = "WhatsApp:DefaultCredentials",
        ["WHATSAPP_API_BASE_URL"] = "WhatsApp:ApiBaseUrl",
        ["WHATSAPP_RATE_PER_SECOND"] = "WhatsApp:RatePerSecond",
        ["FLOW_EXECUTION_TIMEOUT"] = "Flows:ExecutionTimeoutSeconds",
        ["FLOW_MAX_STEPS_PER_RUN"] = "Flows:MaxStepsPerRun",
        ["FLOW_WEBHOOK_ALLOW_LIST"] = "Flows:WebhookAllowList",
        ["FLOW_WEBHOOK_MAX_RESPONSE_BYTES"] = "Flows:WebhookMaxResponseBytes",
        ["LIMITS_BOTS_PER_ORGANIZATION"] = "Limits:BotsPerOrganization",
        ["LIMITS_TEMPLATES_PER_ORGANIZATION"] = "Limits:TemplatesPerOrganization",
        ["LIMITS_ORGANIZATIONS_PER_USER"] = "Limits:OrganizationsPerUser",
        ["LIMITS_CONTACTS_PER_BOT"] = "Limits:ContactsPerBot",
        ["ANALYTICS_HOURLY_RETENTION_DAYS"] = "Analytics:HourlyRetentionDays",
        ["ANALYTICS_DAILY_RETENTION_DAYS"] = "Analytics:DailyRetentionDays",
        ["ANALYTICS_RECONCILE_DAYS"] = "Analytics:ReconcileDays",
        ["ANALYTICS_ENABLED"] = "Analytics:Enabled",
        ["TRIGGER_LOG_RETENTION_DAYS"] = "Triggers:LogRetentionDays",
        ["TRIGGER_CHAIN_MAX_STARTS"] = "Triggers:ChainMaxStarts",
        ["TRIGGER_CHAIN_WINDOW_MINUTES"] = "Triggers:ChainWindowMinutes",
        ["TRIGGER_CHECK_INTERVAL"] = "Triggers:CheckIntervalSeconds",
        ["TRIGGER_SCHEDULE_UPDATE_INTERVAL"] = "Triggers:ScheduleUpdateIntervalSeconds",
        ["TRIGGER_SCHEDULE_CATCH_UP_GRACE_MINUTES"] = "Triggers:CatchUpGraceMinutes",
        ["NOTIFICATION_RETENTION_DAYS"] = "Notifications:RetentionDays",
        ["NOTIFICATION_DIGEST_MINUTES"] = "Notifications:DigestMinutes",
        ["NOTIFICATION_MAIL_MAX_ATTEMPTS"] = "Notifications:MailMaxAttempts",
        ["NOTIFICATION_MAIL_POLL_SECONDS"] = "Notifications:MailPollSeconds",
        ["NOTIFICATION_MAX_SOCKETS_PER_USER"] = "Notifications:MaxSocketsPerUser",
        ["NOTIFICATION_SOCKET_QUEUE"] = "Notifications:SocketQueue",
        ["NOTIFICATION_RESUBSCRIBE_SECONDS"] = "Notifications:ResubscribeSeconds",
    };

    public static IConfigurationBuilder AddChatBoostEnvironmentVariables(this IConfigurationBuilder builder) =>
        builder.AddInMemoryCollection(Read(Environment.GetEnvironmentVariables()));

    public static Dictionary<string, string?> Read(IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Map)
        {
            if (environment[variable] is string value && value.Length > 0)
            {
                values[key] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// The host environment name from the seed's <c>ENVIRONMENT</c> (development, production, test), else
    /// DOTNET_ENVIRONMENT / ASPNETCORE_ENVIRONMENT, else Production — the safe default for a server.
    /// </summary>
    public static string ResolveEnvironmentName(IDictionary environment)
    {
        var raw = environment["ENVIRONMENT"] as string
            ?? environment["DOTNET_ENVIRONMENT"] as string
            ?? environment["ASPNETCORE_ENVIRONMENT"] as string;
        return raw?.Trim().ToLowerInvariant() switch
        {
            null or "" or "prod" or "production" => "Production",
            "dev" or "development" or "local" => "Development",
            "test" or "testing" => "Test",
            "staging" => "Staging",
            var other => char.ToUpperInvariant(other[0]) + other[1..],
        };
    }

    public static string ResolveEnvironmentName() => ResolveEnvironmentName(Environment.GetEnvironmentVariables());
}
