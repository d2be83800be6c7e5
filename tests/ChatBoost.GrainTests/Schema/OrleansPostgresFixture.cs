using ChatBoost.Silo.Hosting;
using ChatBoost.Silo.Migrations;
using ChatBoost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;
using Xunit;

namespace ChatBoost.GrainTests.Schema;

/// <summary>
/// One in-process Orleans silo whose grain storage and reminder table are the real 10.4.2
/// ADO.NET providers, running on a fresh database migrated by <see cref="MigrationRunner"/>.
/// </summary>
public sealed class OrleansPostgresFixture : IAsyncLifetime
{
    /// <summary>A second storage configured with DeleteStateOnClear = true (uses DeleteStorageKey).</summary>
    public const string DeleteOnClearStorage = "DeleteOnClear";

    private TestDatabase? _database;
    private InProcessTestCluster? _cluster;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Fixture not initialized.");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Fixture not initialized.");

    public IGrainFactory Grains => Cluster.Client;

    public IServiceProvider SiloServices => Cluster.GetSiloServiceProvider();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("graintests");
        await MigrationRunner.ApplyAsync(_database.ConnectionString, NullLogger.Instance, CancellationToken.None);

        var connectionString = _database.ConnectionString;
        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            // The production persistence configuration, plus a second storage for DeleteStateOnClear.
            SiloHost.ConfigurePersistence(silo, connectionString);
            silo.AddAdoNetGrainStorage(DeleteOnClearStorage, o =>
            {
                o.Invariant = SiloHost.AdoNetInvariant;
                o.ConnectionString = connectionString;
                o.DeleteStateOnClear = true;
            });
        });

        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>Runs a scalar SQL query against the test database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs a SQL statement against the test database and returns the affected row count.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OrleansPostgresCollection : ICollectionFixture<OrleansPostgresFixture>
{
    public const string Name = "Orleans on PostgreSQL";
}
