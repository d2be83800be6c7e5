namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// SILO-INTERNAL. A grain that works one contact shard (key: the shard number, 0 to <see cref="ContactEventShards.Count"/> − 1)
/// for as long as the cluster runs: one activation per shard in the cluster, so N silos share the shards. A one-minute
/// reminder re-activates it after a crash; while active it works on a grain timer.
/// </summary>
public interface IShardWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the grain and registers its reminder (idempotent): what the silo's start-up task calls.</summary>
    [Alias("Start")]
    Task StartAsync();
}

/// <summary>Delivers one shard's contact events to every registered subscriber.</summary>
[Alias("chatboost.contacts.events.IContactEventDispatcherGrain")]
public interface IContactEventDispatcherGrain : IShardWorkerGrain;

/// <summary>Finds one shard's stranded durable work and pokes the contacts it belongs to.</summary>
[Alias("chatboost.contacts.events.IContactSweeperGrain")]
public interface IContactSweeperGrain : IShardWorkerGrain;
