using System.Globalization;
using System.Text;
using Npgsql;

namespace ChatBoost.Testing;

/// <summary>
/// A fresh, uniquely named PostgreSQL database on the server given by
/// <see cref="TestEnvironment.PostgresConnectionString"/>, dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>PostgreSQL truncates identifiers longer than this.</summary>
    private const int MaxIdentifierLength = 63;

    private readonly string _serverConnectionString;
    private bool _disposed;

    private TestDatabase(string serverConnectionString, string name, string connectionString)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database name.</summary>
    public string Name { get; }

    /// <summary>Npgsql connection string to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates an empty database named <c>{prefix}_{random}</c> (on <paramref name="server"/> if given).</summary>
    public static async Task<TestDatabase> CreateAsync(string prefix, string? server = null)
    {
        server ??= TestEnvironment.PostgresConnectionString;
        var name = UniqueName(prefix);

        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Quote(name)}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new TestDatabase(server, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Idle pooled connections of this process would otherwise linger; FORCE ends any others.
        await using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Quote(Name)} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static string UniqueName(string prefix)
    {
        var cleaned = new StringBuilder();
        foreach (var c in prefix.ToLowerInvariant())
        {
            cleaned.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_');
        }

        var suffix = "_" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        var head = cleaned.Length == 0 ? "test" : cleaned.ToString();
        if (head.Length + suffix.Length > MaxIdentifierLength)
        {
            head = head[..(MaxIdentifierLength - suffix.Length)];
        }

        return head + suffix;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
