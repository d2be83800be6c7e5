using ChatBoost.Configuration;
using Npgsql;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The silo's two PostgreSQL connection pools, each bounded: ChatBoost's own data source and the one Orleans' ADO.NET
/// providers share (Npgsql pools by connection string, so the providers' pool is a second pool). Unbounded, each
/// would grow to Npgsql's default of 100, and a few silos with a test or load tool beside them exhaust
/// PostgreSQL's <c>max_connections</c> ("53300: sorry, too many clients already"). Each pool also names itself
/// (<c>Application Name</c>) so <c>pg_stat_activity</c> shows who holds what.
/// </summary>
/// <remarks>
/// ChatBoost's own pool prepares its statements automatically (<c>Max Auto Prepare</c>, unless the URL sets it): the hot
/// path is a few dozen statement texts run thousands of times, and planning its CTEs cost PostgreSQL as much CPU as
/// running them (pg_stat_statements in <c>bench/conversation</c>: 6.5 s of planning beside 10 s of execution).
/// </remarks>
public sealed record DatabasePools(string Query, string Orleans)
{
    /// <summary>Both pools' connection strings from the settings' base one and sizes.</summary>
    public static DatabasePools From(ChatBoostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return From(settings.DatabaseConnectionString, settings.DatabasePoolSize, settings.DatabaseOrleansPoolSize);
    }

    /// <summary>Both pools' connection strings from the base one; the sizes override a <c>Maximum Pool Size</c> the URL gives.</summary>
    public static DatabasePools From(string connectionString, int poolSize, int orleansPoolSize) =>
        new(Bounded(connectionString, poolSize, "chatboost-silo", AutoPrepared), Bounded(connectionString, orleansPoolSize, "chatboost-silo-orleans"));

    /// <summary>How many statement texts a connection of ChatBoost's pool keeps prepared (least recently used go).</summary>
    public const int AutoPrepared = 256;

    private static string Bounded(string connectionString, int size, string applicationName, int autoPrepare = 0)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size };
        if (autoPrepare > 0 && builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = autoPrepare;
            builder.AutoPrepareMinUsages = 2;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = applicationName;
        }

        // A minimum above the new maximum would make Npgsql refuse the string.
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, size);
        return builder.ConnectionString;
    }
}
