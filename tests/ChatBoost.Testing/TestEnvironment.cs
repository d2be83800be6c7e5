using ChatBoost.Configuration;

namespace ChatBoost.Testing;

/// <summary>
/// The external services the integration tests run against, taken from environment
/// variables that <c>scripts/test.sh</c> exports. A missing variable fails the test loudly:
/// these tests never skip.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Npgsql connection string or postgresql:// URL; the user must be allowed to CREATE DATABASE.</summary>
    public const string PostgresVariable = "CHATBOOST_TEST_PG";

    /// <summary>Redis endpoint as host:port.</summary>
    public const string RedisVariable = "CHATBOOST_TEST_REDIS";

    /// <summary>The PostgreSQL server for tests, as an Npgsql connection string.</summary>
    public static string PostgresConnectionString => DatabaseUrl.ToNpgsqlConnectionString(Require(PostgresVariable));

    /// <summary>The Redis endpoint for tests (host:port).</summary>
    public static string RedisEndpoint => Require(RedisVariable);

    private static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Environment variable {variable} is not set. Run the tests through scripts/test.sh, which starts " +
                "PostgreSQL and Redis and exports CHATBOOST_TEST_PG and CHATBOOST_TEST_REDIS. Integration tests fail " +
                "rather than skip when their services are missing.");
        }

        return value.Trim();
    }
}
