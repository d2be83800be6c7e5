using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Flows;
using Dapper;

namespace ChatBoost.Grains.Flows;

/// <summary>
/// The SQL of <see cref="IExecutionQueryGrain"/> over <c>flow_executions</c> and <c>flow_execution_logs</c>. Every value is
/// a parameter; the only text chosen at run time is which fixed filters apply.
/// </summary>
public sealed class ExecutionQueries(Database database)
{
    public const int MaxLimit = 200;

    private const string Columns =
        """
        e.id AS Id, e.organization_id AS OrganizationId, e.bot_id AS BotId, e.flow_id AS FlowId, e.flow_version AS FlowVersion,
        e.contact_id AS ContactId, e.contact_wa_id AS ContactPhone, e.status AS Status, e.current_node_id AS CurrentNodeId,
        e.state::text AS StateJson, e.wake_at AS WakeAt, e.error AS Error, e.steps AS Steps, e.trigger AS Trigger,
        e.started_by AS StartedBy, e.started_at AS StartedAt, e.updated_at AS UpdatedAt, e.ended_at AS EndedAt
        """;

    private const string ScopeFilter = "e.organization_id = ANY(@OrganizationIds)";
    private const string BotFilter = " AND e.bot_id = @BotId";
    private const string FlowFilter = " AND e.flow_id = @FlowId";

    private static readonly ExecutionPage EmptyPage = new([], 0);

    public async Task<ExecutionAddress?> FindAsync(long executionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ExecutionAddress>(new CommandDefinition(
            """
            SELECT id AS ExecutionId, organization_id AS OrganizationId, bot_id AS BotId, contact_wa_id AS ContactPhone
            FROM flow_executions WHERE id = @ExecutionId
            """,
            new { ExecutionId = executionId },
            cancellationToken: cancellationToken));
    }

    public async Task<ExecutionView?> GetAsync(long executionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ExecutionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM flow_executions e WHERE e.id = @ExecutionId",
            new { ExecutionId = executionId },
            cancellationToken: cancellationToken));
        return row?.ToView();
    }

    /// <summary>Executions of the contacts with this phone in the organizations (optionally of one bot), newest first.</summary>
    public async Task<ExecutionPage> ListByPhoneAsync(
        IReadOnlyList<long>? organizationIds,
        string phone,
        long? botId,
        int limit,
        int offset,
        CancellationToken cancellationToken = default)
    {
        if (organizationIds is null || organizationIds.Count == 0 || phone is null || !SearchValue.IsStorableText(phone))
        {
            return EmptyPage;
        }

        var parameters = Scope(organizationIds, botId, flowId: null);
        parameters.Add("Phone", phone);
        parameters.Add("Limit", Math.Clamp(limit, 1, MaxLimit));
        parameters.Add("Offset", Math.Max(offset, 0));
        var where = "e.contact_wa_id = @Phone AND " + ScopeFilter + (botId is null ? "" : BotFilter);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT count(*) FROM flow_executions e WHERE {where};
            SELECT {Columns} FROM flow_executions e WHERE {where} ORDER BY e.id DESC LIMIT @Limit OFFSET @Offset;
            """,
            parameters,
            cancellationToken: cancellationToken));
        var total = await results.ReadSingleAsync<long>();
        var rows = await results.ReadAsync<ExecutionRow>();
        return new ExecutionPage([.. rows.Select(r => r.ToView())], total);
    }

    /// <summary>Up to <paramref name="limit"/> log lines with a seq above <paramref name="afterSeq"/>, in seq order.</summary>
    public async Task<IReadOnlyList<ExecutionLogView>> GetLogsAsync(
        long executionId, int afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<LogRow>(new CommandDefinition(
            """
            SELECT seq AS Seq, node_id AS NodeId, node_type AS NodeType, event AS Event, level AS Level, detail AS Detail,
                   created_at AS At
            FROM flow_execution_logs
            WHERE execution_id = @ExecutionId AND seq > @AfterSeq
            ORDER BY seq
            LIMIT @Limit
            """,
            new { ExecutionId = executionId, AfterSeq = Math.Max(afterSeq, 0), Limit = Math.Clamp(limit, 1, MaxLimit) },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToView())];
    }

    /// <summary>
    /// Counts by status and flow, the completion rate (completed of those that ended) and the mean run time of completed
    /// executions, over the organizations and optionally one bot and/or flow.
    /// </summary>
    public async Task<ExecutionStatistics> GetStatisticsAsync(
        IReadOnlyList<long>? organizationIds, long? botId, long? flowId, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<StatisticsRow> rows = [];
        if (organizationIds is { Count: > 0 })
        {
            var where = ScopeFilter + (botId is null ? "" : BotFilter) + (flowId is null ? "" : FlowFilter);
            await using var connection = await database.OpenAsync(cancellationToken);
            rows = [.. await connection.QueryAsync<StatisticsRow>(new CommandDefinition(
                $"""
                SELECT e.flow_id AS FlowId, f.name AS FlowName, e.status AS Status, count(*) AS Count,
                       (sum(extract(epoch FROM e.ended_at - e.started_at)) FILTER (WHERE e.status = 'completed'))::double precision
                           AS CompletedSeconds
                FROM flow_executions e
                LEFT JOIN flows f ON f.id = e.flow_id
                WHERE {where}
                GROUP BY e.flow_id, f.name, e.status
                """,
                Scope(organizationIds, botId, flowId),
                cancellationToken: cancellationToken))];
        }

        var overall = Tally.Of(rows);
        var byFlow = rows
            .GroupBy(r => r.FlowId)
            .Select(g => (FlowId: g.Key, Name: g.First().FlowName, Tally: Tally.Of(g)))
            .OrderByDescending(f => f.Tally.Total)
            .ThenBy(f => f.FlowId)
            .Select(f => new FlowExecutionStatistics(f.FlowId, f.Name, f.Tally.Total, f.Tally.ByStatus, f.Tally.AverageDurationSeconds))
            .ToList();
        return new ExecutionStatistics(overall.Total, overall.ByStatus, overall.CompletionRate, overall.AverageDurationSeconds, byFlow);
    }

    private static DynamicParameters Scope(IReadOnlyList<long> organizationIds, long? botId, long? flowId)
    {
        var parameters = new DynamicParameters();
        parameters.Add("OrganizationIds", organizationIds.Distinct().ToArray());
        if (botId is { } bot)
        {
            parameters.Add("BotId", bot);
        }

        if (flowId is { } flow)
        {
            parameters.Add("FlowId", flow);
        }

        return parameters;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    /// <summary>Totals of a set of (flow, status) groups; every status is present in <see cref="ByStatus"/>.</summary>
    private sealed record Tally(long Total, Dictionary<string, long> ByStatus, double? CompletionRate, double? AverageDurationSeconds)
    {
        public static Tally Of(IEnumerable<StatisticsRow> rows)
        {
            var byStatus = ExecutionStatuses.All.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
            var completedSeconds = 0.0;
            foreach (var row in rows)
            {
                byStatus[row.Status] = byStatus.GetValueOrDefault(row.Status) + row.Count;
                completedSeconds += row.CompletedSeconds ?? 0;
            }

            var completed = byStatus[ExecutionStatuses.Completed];
            var ended = completed + byStatus[ExecutionStatuses.Failed] + byStatus[ExecutionStatuses.Cancelled];
            return new Tally(
                byStatus.Values.Sum(),
                byStatus,
                ended == 0 ? null : (double)completed / ended,
                completed == 0 ? null : completedSeconds / completed);
        }
    }

    private sealed record StatisticsRow(long FlowId, string? FlowName, string Status, long Count, double? CompletedSeconds);

    private sealed record LogRow(int Seq, long? NodeId, string? NodeType, string Event, string Level, string Detail, DateTime At)
    {
        public ExecutionLogView ToView() => new(Seq, NodeId, NodeType, Event, Level, Detail, Utc(At));
    }

    private sealed record ExecutionRow(
        long Id,
        long OrganizationId,
        long BotId,
        long FlowId,
        int FlowVersion,
        long ContactId,
        string ContactPhone,
        string Status,
        long? CurrentNodeId,
        string StateJson,
        DateTime? WakeAt,
        string? Error,
        int Steps,
        string Trigger,
        long? StartedBy,
        DateTime StartedAt,
        DateTime UpdatedAt,
        DateTime? EndedAt)
    {
        public ExecutionView ToView() => new(
            Id, OrganizationId, BotId, FlowId, FlowVersion, ContactId, ContactPhone, Status, CurrentNodeId, StateJson, Utc(WakeAt),
            Error, Steps, Trigger, StartedBy, Utc(StartedAt), Utc(UpdatedAt), Utc(EndedAt));
    }
}
