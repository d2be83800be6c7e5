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
        new(Bounded(connectionString, poolSize, "chatboost-silo"), Bounded(connectionString, orleansPoolSize, "chatboost-silo-orleans"));

    private static string Bounded(string connectionString, int size, string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = applicationName;
        }

        // A minimum above the new maximum would make Npgsql refuse the string.
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, size);
        return builder.ConnectionString;
    }
}
