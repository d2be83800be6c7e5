namespace ChatBoost.Grains.Interfaces.Flows;

/// <summary>
/// Reads over the <c>flow_executions</c> and <c>flow_execution_logs</c> query tables, which the contact grains write
/// before each external side effect: lists, logs and statistics never load a grain per row. A stateless worker.
/// </summary>
[Alias("chatboost.flows.IExecutionQueryGrain")]
public interface IExecutionQueryGrain : IGrainWithIntegerKey
{
    [Alias("Find")]
    Task<ExecutionAddress?> FindAsync(long executionId);

    [Alias("Get")]
    Task<ExecutionView?> GetAsync(long executionId);

    /// <summary>Executions of contacts with this phone across the given organizations (optionally one bot), newest first.</summary>
    [Alias("ListByPhone")]
    Task<ExecutionPage> ListByPhoneAsync(IReadOnlyList<long> organizationIds, string phone, long? botId, int limit, int offset);

    /// <summary>Log lines in order, after <paramref name="afterSeq"/>.</summary>
    [Alias("GetLogs")]
    Task<IReadOnlyList<ExecutionLogView>> GetLogsAsync(long executionId, int afterSeq, int limit);

    [Alias("GetStatistics")]
    Task<ExecutionStatistics> GetStatisticsAsync(IReadOnlyList<long> organizationIds, long? botId, long? flowId);
}
