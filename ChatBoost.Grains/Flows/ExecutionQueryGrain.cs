using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Flows;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Flows;

/// <inheritdoc cref="IExecutionQueryGrain"/>
/// <remarks>
/// Reads only: the contact grains write <c>flow_executions</c> and <c>flow_execution_logs</c> (their own durable state),
/// so a stateless worker on every silo answers from those rows. Limits are clamped to 1..<see cref="ExecutionQueries.MaxLimit"/>
/// and a negative offset or afterSeq is 0, whatever the caller validated.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class ExecutionQueryGrain(Database database) : Grain, IExecutionQueryGrain
{
    private readonly ExecutionQueries _queries = new(database);

    public Task<ExecutionAddress?> FindAsync(long executionId) => _queries.FindAsync(executionId);

    public Task<ExecutionView?> GetAsync(long executionId) => _queries.GetAsync(executionId);

    public Task<ExecutionPage> ListByPhoneAsync(IReadOnlyList<long> organizationIds, string phone, long? botId, int limit, int offset) =>
        _queries.ListByPhoneAsync(organizationIds, phone, botId, limit, offset);

    public Task<IReadOnlyList<ExecutionLogView>> GetLogsAsync(long executionId, int afterSeq, int limit) =>
        _queries.GetLogsAsync(executionId, afterSeq, limit);

    public Task<ExecutionStatistics> GetStatisticsAsync(IReadOnlyList<long> organizationIds, long? botId, long? flowId) =>
        _queries.GetStatisticsAsync(organizationIds, botId, flowId);
}
