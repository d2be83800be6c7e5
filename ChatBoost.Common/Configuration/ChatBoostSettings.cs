using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// The settings both processes need, bound from configuration and validated once at start: a process with
/// a bad setting refuses to start and says every problem at once.
/// </summary>
public sealed record ChatBoostSettings(
    string DatabaseConnectionString,
    RedisConnection Redis,
    ClusterSettings Cluster,
    AuthOptions Auth,
    bool Debug)
{
    /// <summary>The bound of the silo's own PostgreSQL pool (DATABASE_POOL_SIZE).</summary>
    public int DatabasePoolSize { get; init; } = new DatabaseOptions().PoolSize;

    /// <summary>The bound of the pool Orleans' storage and reminder providers share (DATABASE_ORLEANS_POOL_SIZE).</summary>
    public int DatabaseOrleansPoolSize { get; init; } = new DatabaseOptions().OrleansPoolSize;

    public static ChatBoostSettings Load(IConfiguration configuration, bool isProduction)
    {
        var problems = new List<string>();
        var database = Bind<DatabaseOptions>(configuration, DatabaseOptions.Section, problems);
        var redis = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        var cluster = Bind<ClusterSettings>(configuration, ClusterSettings.Section, problems);
        var auth = Bind<AuthOptions>(configuration, AuthOptions.Section, problems);

        var connectionString = Try(database.GetConnectionString, problems);
        var redisConnection = Try(redis.GetConnection, problems);
        if (string.IsNullOrWhiteSpace(cluster.ServiceId) || string.IsNullOrWhiteSpace(cluster.ClusterId))
        {
            problems.Add("ORLEANS_SERVICE_ID and ORLEANS_CLUSTER_ID must not be empty.");
        }

        if (database.PoolSize is < 2 or > 1000)
        {
            problems.Add("DATABASE_POOL_SIZE must be between 2 and 1000.");
        }

        if (database.OrleansPoolSize is < 2 or > 1000)
        {
            problems.Add("DATABASE_ORLEANS_POOL_SIZE must be between 2 and 1000.");
        }

        if (cluster.ResponseTimeoutSeconds is < 1 or > 300)
        {
            problems.Add("GRAIN_CALL_TIMEOUT_SECONDS must be between 1 and 300.");
        }

        if (cluster.RedisStartupWaitSeconds is < 0 or > 3600)
        {
            problems.Add("REDIS_STARTUP_WAIT_SECONDS must be between 0 and 3600.");
        }

        problems.AddRange(auth.Validate(isProduction));
        if (problems.Count > 0)
        {
            throw new ConfigurationException("ChatBoost cannot start:" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", problems));
        }

        return new ChatBoostSettings(connectionString!, redisConnection!, cluster, auth, configuration.GetValue("Debug", false))
        {
            DatabasePoolSize = database.PoolSize,
            DatabaseOrleansPoolSize = database.OrleansPoolSize,
        };
    }

    private static T Bind<T>(IConfiguration configuration, string section, List<string> problems)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // A number or boolean setting that does not parse: say which, without echoing secrets.
            problems.Add($"A '{section}' setting has a value of the wrong type: {e.InnerException?.Message ?? e.Message}");
            return new T();
        }
    }

    private static T? Try<T>(Func<T> read, List<string> problems)
        where T : class
    {
        try
        {
            return read();
        }
        catch (ConfigurationException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }
}
