using StackExchange.Redis;

namespace ChatBoost.Silo.Hosting;

/// <summary>
/// Redis holds the cluster's membership table. A Redis that keeps nothing on disk comes back from a restart empty: every
/// running silo's heartbeat (<c>UpdateIAmAlive</c>) then fails forever on its vanished row and a silo that starts joins a
/// table without the others (dotnet/orleans#7784: Orleans treats the table as durable). ChatBoost's scripts and compose file
/// run Redis with an append-only file; this check says loudly at start when the Redis in use does not.
/// </summary>
public sealed class RedisPersistenceCheck(ConfigurationOptions redis, ILogger<RedisPersistenceCheck> logger)
{
    /// <summary>True when Redis reports AOF or RDB snapshots on; null when it cannot tell (CONFIG disabled, unreachable).</summary>
    public async Task<bool?> IsPersistentAsync()
    {
        var options = redis.Clone();
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 3000;
        options.AllowAdmin = true;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            var server = connection.GetServers().FirstOrDefault(s => s.IsConnected);
            if (server is null)
            {
                return null;
            }

            var config = (await server.ConfigGetAsync("appendonly")).Concat(await server.ConfigGetAsync("save"))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            return IsPersistent(config.GetValueOrDefault("appendonly"), config.GetValueOrDefault("save"));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Could not read the Redis persistence settings: {Reason}", e.Message);
            return null;
        }
    }

    public static bool IsPersistent(string? appendOnly, string? save) =>
        string.Equals(appendOnly, "yes", StringComparison.OrdinalIgnoreCase) || !string.IsNullOrWhiteSpace(save);

    public async Task WarnIfEphemeralAsync()
    {
        if (await IsPersistentAsync() == false)
        {
            logger.LogWarning(
                "Redis keeps the cluster membership but has no persistence (appendonly no, no save points): a Redis restart " +
                "erases the membership and breaks the running silos (dotnet/orleans#7784). Run Redis with --appendonly yes.");
        }
    }
}
