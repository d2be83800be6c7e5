using ChatBoost.Grains.Interfaces.Triggers;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Triggers;

/// <inheritdoc cref="ITriggerQueryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class TriggerQueryGrain(TriggerQueries queries, Runs.TriggerRunStore runs) : Grain, ITriggerQueryGrain
{
    public Task<TriggerAddress?> FindAsync(long triggerId) => queries.FindAsync(triggerId);

    public Task<TriggerPage> ListAsync(TriggerFilter filter, int limit, int offset) => queries.ListAsync(filter, limit, offset);

    public Task<TriggerLogPage> LogsAsync(long triggerId, int limit, int offset) => queries.LogsAsync(triggerId, limit, offset);

    public Task<IReadOnlyList<TriggerStatisticsView>> StatisticsAsync(IReadOnlyList<long> organizationIds, long? botId) =>
        queries.StatisticsAsync(organizationIds, botId);

    public Task<TriggerRunView?> RunAsync(long runId) => runs.ViewAsync(runId);

    public Task<TriggerRunPage> RunsAsync(long triggerId, int limit, int offset) => runs.ListAsync(triggerId, limit, offset);
}
