using System.Text;

namespace ChatBoost.Configuration;

/// <summary>PostgreSQL: grain state, reminders and query tables. Bound from <c>Database</c> (env DATABASE_URL).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public string? Url { get; set; }

    /// <summary>
    /// The most connections the silo's own pool (query tables, the statement writer, the message writer) opens
    /// (env DATABASE_POOL_SIZE). With <see cref="OrleansPoolSize"/> it is the silo's whole share of PostgreSQL's
    /// <c>max_connections</c>: size that as silos × (both pools) + a margin for migrations and operators.
    /// </summary>
    public int PoolSize { get; set; } = 40;

    /// <summary>The most connections Orleans' ADO.NET grain storage and reminder providers open together (env DATABASE_ORLEANS_POOL_SIZE).</summary>
    public int OrleansPoolSize { get; set; } = 16;

    /// <summary>The Npgsql connection string; throws <see cref="ConfigurationException"/> for a bad or missing URL.</summary>
    public string GetConnectionString() =>
        string.IsNullOrWhiteSpace(Url)
            ? throw new ConfigurationException("DATABASE_URL is not set: set it to postgresql://user:password@host:port/database.")
            : DatabaseUrl.ToNpgsqlConnectionString(Url);
}

/// <summary>Redis: cluster membership. Bound from <c>Redis</c> (env REDIS_URL).</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    public string? Url { get; set; }

    public RedisConnection GetConnection() =>
        string.IsNullOrWhiteSpace(Url)
            ? throw new ConfigurationException("REDIS_URL is not set: set it to redis://host:port/0.")
            : RedisUrl.Parse(Url);
}

/// <summary>Which Orleans cluster this process belongs to. Bound from <c>Cluster</c>.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    public string ServiceId { get; set; } = "chatboost";

    public string ClusterId { get; set; } = "chatboost-dev";

    /// <summary>Upper bound of one grain call; a dead silo must not hold an HTTP request for Orleans' default 30 s.</summary>
    public int ResponseTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// How long a starting silo waits for the membership's Redis before it gives up and exits (0: it does not wait, and
    /// Orleans fails the start at once when Redis is down).
    /// </summary>
    public int RedisStartupWaitSeconds { get; set; } = 300;
}

/// <summary>Tokens, passwords and login throttling. Bound from <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumSecretKeyBytes = 32;

    /// <summary>Values that appear in examples and must never sign production tokens.</summary>
    public static readonly IReadOnlySet<string> KnownDefaultSecrets = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "your-secret-key-here", "secret", "changeme", "change-me", "secret-key", "dev-secret-key",
        "development-secret-key-change-me-please-0123456789",
    };

    public string? SecretKey { get; set; }

    public int AccessTokenExpireMinutes { get; set; } = 30;

    public string Issuer { get; set; } = "chatboost";

    public string Audience { get; set; } = "chatboost-api";

    /// <summary>Comma-separated e-mail addresses of platform administrators.</summary>
    public string? AdminEmails { get; set; }

    public int BcryptWorkFactor { get; set; } = 12;

    /// <summary>Failed logins per (account, client) in the window before that client is locked out of that account.</summary>
    public int LoginMaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed logins per client (IPv4 address or IPv6 /64), whatever the accounts, in the window.</summary>
    public int LoginMaxFailuresPerIp { get; set; } = 20;

    public int LoginFailureWindowSeconds { get; set; } = 900;

    /// <summary>The slower global back-off: failed logins per account from all clients together in its window.</summary>
    public int LoginMaxFailuresPerAccountGlobal { get; set; } = 50;

    public int LoginAccountBackoffWindowSeconds { get; set; } = 3600;

    /// <summary>Login requests per client per minute, per API process (ASP.NET Core rate limiter).</summary>
    public int LoginRequestsPerMinutePerClient { get; set; } = 60;

    /// <summary>Registrations per client per hour, per API process.</summary>
    public int RegistrationsPerHourPerClient { get; set; } = 10;

    /// <summary>Registrations per minute for all clients together, per API process.</summary>
    public int RegistrationsPerMinute { get; set; } = 60;

    /// <summary>Logins waiting for a BCrypt slot beyond the running ones (one per core); more get 503 with Retry-After.</summary>
    public int BcryptLoginQueue { get; set; } = 100;

    /// <summary>Registrations waiting for their BCrypt slot (half the cores, at least one); more get 503 with Retry-After.</summary>
    public int BcryptRegistrationQueue { get; set; } = 10;

    public int EmailVerificationExpireHours { get; set; } = 48;

    public IReadOnlySet<string> GetAdminEmails() =>
        (AdminEmails ?? "")
            .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(EmailAddress.Normalize)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The problems with these settings in the given environment; empty when they are fine.</summary>
    public IReadOnlyList<string> Validate(bool isProduction)
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(SecretKey))
        {
            if (isProduction)
            {
                problems.Add("SECRET_KEY is not set: in production it is required (at least 32 random bytes, e.g. `openssl rand -base64 48`).");
            }
        }
        else
        {
            if (isProduction && KnownDefaultSecrets.Contains(SecretKey.Trim()))
            {
                problems.Add("SECRET_KEY is a published example value: in production set a random secret of at least 32 bytes.");
            }

            if (Encoding.UTF8.GetByteCount(SecretKey) < MinimumSecretKeyBytes)
            {
                problems.Add($"SECRET_KEY is shorter than {MinimumSecretKeyBytes} bytes (256 bits), too short to sign HS256 tokens safely.");
            }
        }

        if (AccessTokenExpireMinutes is < 1 or > 7 * 24 * 60)
        {
            problems.Add("ACCESS_TOKEN_EXPIRE_MINUTES must be between 1 and 10080 (one week).");
        }

        if (BcryptWorkFactor is < 12 or > 16)
        {
            problems.Add("BCRYPT_WORK_FACTOR must be between 12 and 16.");
        }

        if (LoginMaxFailuresPerAccount < 1 || LoginMaxFailuresPerIp < 1 || LoginFailureWindowSeconds < 1
            || LoginMaxFailuresPerAccountGlobal < 1 || LoginAccountBackoffWindowSeconds < 1 || LoginRequestsPerMinutePerClient < 1)
        {
            problems.Add("Login throttling settings must be positive.");
        }

        if (RegistrationsPerHourPerClient < 1 || RegistrationsPerMinute < 1 || BcryptLoginQueue < 0 || BcryptRegistrationQueue < 0)
        {
            problems.Add("Registration limits must be positive and BCrypt queue lengths not negative.");
        }

        if (EmailVerificationExpireHours is < 1 or > 24 * 30)
        {
            problems.Add("EMAIL_VERIFICATION_EXPIRE_HOURS must be between 1 and 720.");
        }

        return problems;
    }
}
