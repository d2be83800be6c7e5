using ChatBoost.Configuration;
using ChatBoost.Grains.Bots;
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
    private readonly string _databaseName = "chatboost_grains";
    private readonly Action<IServiceCollection>? _services;

    private TestDatabase? _database;
    private InProcessTestCluster? _cluster;

    public ManualClock Clock { get; } = new();

    /// <summary>A cluster on a database of its own, for tests that restart or kill its silo.</summary>
    public static ChatBoostClusterFixture Separate(string databaseName) => new(databaseName);

    /// <summary>A cluster on a database of its own whose silo services <paramref name="services"/> changes (after the real ones).</summary>
    public static ChatBoostClusterFixture Separate(string databaseName, Action<IServiceCollection> services) => new(databaseName, services);

    public ChatBoostClusterFixture()
    {
    }

    private ChatBoostClusterFixture(string databaseName, Action<IServiceCollection>? services = null)
    {
        _databaseName = databaseName;
        _services = services;
    }

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Not initialized.");

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(_databaseName);
        await MigrationRunner.ApplyAsync(_database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        var settings = new ChatBoostSettings(_database.ConnectionString, RedisConnection.Unused, new ClusterSettings(), new AuthOptions(), Debug: false);

        var builder = new InProcessTestClusterBuilder(initialSilosCount: 1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            SiloHost.ConfigurePersistence(silo, settings.DatabaseConnectionString);
            SiloHost.AddChatBoostServices(silo.Services, settings, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
            silo.Services.AddSingleton<TimeProvider>(Clock);
            // No Graph API here: the phone-number proof answers "reached" (the real probe is registered, and replaced).
            silo.Services.AddSingleton<IPhoneNumberProbe, EveryNumberReachedProbe>();
            _services?.Invoke(silo.Services);
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

    /// <summary>
    /// Drops the grain's activation and returns once it is gone from every silo's catalog, so the next call reloads its
    /// state from PostgreSQL (a test that only slept could go on with the old activation and silently skip the reload).
    /// </summary>
    public async Task DeactivateAsync(IAddressable grain)
    {
        var id = grain.GetGrainId();
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var management = Grains.GetGrain<IManagementGrain>(0);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await management.GetActiveGrains(id.Type)).Contains(id))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{id} was still active 15 s after DeactivateOnIdle.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Asks the grain to deactivate and does not wait: for tests where the deactivation races the grain's own work on purpose
    /// (the grain's next call, or its own follow-up call, activates it again at any moment).
    /// </summary>
    public Task RequestDeactivationAsync(IAddressable grain) => grain.Cast<IGrainManagementExtension>().DeactivateOnIdle().AsTask();

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>
/// The system clock moved forward by <see cref="Advance"/>. Time keeps flowing — Orleans itself uses the
/// registered TimeProvider for its timers and delays, and a frozen clock would stall the silo — and tests
/// jump it ahead (e.g. past an invitation's expiry). Timers and timestamps are the system's.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _advancedTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _advancedTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _advancedTicks, by.Ticks);

    /// <summary>Back to the system's time: tests that move the clock reset it, so later tests run at PostgreSQL's now().</summary>
    public void Reset() => Interlocked.Exchange(ref _advancedTicks, 0);
}

[CollectionDefinition(Name)]
public sealed class ChatBoostClusterCollection : ICollectionFixture<ChatBoostClusterFixture>
{
    public const string Name = "ChatBoost cluster";
}

/// <summary>The grain tests' Graph API: every token reaches every number (the end-to-end tests prove the refusals).</summary>
public sealed class EveryNumberReachedProbe : IPhoneNumberProbe
{
    public Task<PhoneNumberProbeOutcome> ProbeAsync(string phoneNumberId, string accessToken, string apiVersion, CancellationToken cancellationToken = default) =>
        Task.FromResult(PhoneNumberProbeOutcome.Reached);
}
