using StackExchange.Redis;

namespace ChatBoost.Silo.Hosting;

/// <summary>
/// How fast the cluster notices a dead silo and how a silo leaves it. The numbers and the reasoning behind them are in
/// docs/architecture.md ("Running as a cluster"); change them there too.
/// </summary>
/// <remarks>
/// Failure detection: every silo probes up to three others every <see cref="ProbeTimeout"/> (which is also each probe's
/// timeout). After <see cref="MissedProbesLimit"/> misses in a row it votes the silo dead; <see cref="VotesForDeath"/>
/// votes declare it. A killed silo refuses connections at once, so its probes fail without waiting out the timeout and
/// the two survivors of a three-silo cluster declare it dead within about three probe periods (measured 2.8 s; Orleans'
/// defaults, 5 s × 3, take 15–20 s). A silo that is merely slow is protected twice: Orleans stretches the probe timeout
/// (up to 4×) while the prober's own health is degraded (<c>ExtendProbeTimeoutDuringDegradation</c>, on by default),
/// and indirect probes through another silo must fail too before a vote is cast.
/// </remarks>
public static class ClusterTuning
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public const int MissedProbesLimit = 3;
    public const int VotesForDeath = 2;

    /// <summary>How often a silo re-reads the membership table (gossip spreads a change sooner; this bounds the miss).</summary>
    public static readonly TimeSpan TableRefresh = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The whole of a graceful stop (SIGTERM): the silo stops taking new activations, lets running turns finish,
    /// deactivates its grains (their state is already written: every turn commits before it answers), leaves the
    /// membership so the other silos take over its reminders at once, and tells its clients to use other gateways.
    /// </summary>
    public static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Failure detection and the graceful-stop budget of a ChatBoost silo (see the class remarks), and a warning at start
    /// when the membership's Redis keeps nothing on disk (<see cref="RedisPersistenceCheck"/>).
    /// </summary>
    public static ISiloBuilder UseChatBoostClusterTuning(this ISiloBuilder silo, ConfigurationOptions redis)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddStartupTask((services, _) => new RedisPersistenceCheck(
            redis, services.GetRequiredService<ILogger<RedisPersistenceCheck>>()).WarnIfEphemeralAsync());
        silo.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownBudget);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = ProbeTimeout;
            o.NumMissedProbesLimit = MissedProbesLimit;
            o.NumVotesForDeathDeclaration = VotesForDeath;
            o.TableRefreshTimeout = TableRefresh;
        });
        silo.Configure<GrainCollectionOptions>(o => o.DeactivationTimeout = TimeSpan.FromSeconds(10));
        return silo;
    }
}
