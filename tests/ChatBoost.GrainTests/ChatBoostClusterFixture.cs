using ChatBoost.Configuration;
using ChatBoost.Silo.Hosting;
using ChatBoost.Silo.Migrations;
using ChatBoost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace ChatBoost.GrainTests;

/// <summary>
/// An in-process silo with ChatBoost's real grains, services and persistence (ADO.NET storage and reminders
/// on a fresh, migrated PostgreSQL database), and a clock the tests move.
/// </summary>
public sealed class ChatBoostClusterFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private InProcessTestCluster? _cluster;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Not initialized.");

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("chatboost_grains");
        await MigrationRunner.ApplyAsync(_database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        var settings = new ChatBoostSettings(_database.ConnectionString, "unused", new ClusterSettings(), new AuthOptions(), Debug: false);

        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            SiloHost.ConfigurePersistence(silo, settings.DatabaseConnectionString);
            SiloHost.AddChatBoostServices(silo.Services, settings);
            silo.Services.AddSingleton<TimeProvider>(Clock);
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

    /// <summary>Drops the grain's activation so the next call reloads its state from PostgreSQL.</summary>
    public async Task DeactivateAsync(IAddressable grain)
    {
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>A clock that only moves when told to.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

[CollectionDefinition(Name)]
public sealed class ChatBoostClusterCollection : ICollectionFixture<ChatBoostClusterFixture>
{
    public const string Name = "ChatBoost cluster";
}
