namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>Reads of the trigger query tables across bots (lists, logs, statistics, addresses): a stateless worker.</summary>
[Alias("chatboost.triggers.ITriggerQueryGrain")]
public interface ITriggerQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The live trigger's bot and organization, or null.</summary>
    [Alias("Find")]
    Task<TriggerAddress?> FindAsync(long triggerId);

    [Alias("List")]
    Task<TriggerPage> ListAsync(TriggerFilter filter, int limit, int offset);

    [Alias("Logs")]
    Task<TriggerLogPage> LogsAsync(long triggerId, int limit, int offset);

    /// <summary>Per-trigger counters of the live triggers in scope, by trigger id.</summary>
    [Alias("Statistics")]
    Task<IReadOnlyList<TriggerStatisticsView>> StatisticsAsync(IReadOnlyList<long> organizationIds, long? botId);

    /// <summary>A run with its progress as of now, or null.</summary>
    [Alias("Run")]
    Task<TriggerRunView?> RunAsync(long runId);

    /// <summary>A trigger's runs, newest first, with their progress.</summary>
    [Alias("Runs")]
    Task<TriggerRunPage> RunsAsync(long triggerId, int limit, int offset);
}
