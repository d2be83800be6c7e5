using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// A flow's per-node funnel, from the outlet's <c>node_entered</c> events (one per node an execution entered, in order)
/// and the executions' status now. An entry counts in the period it happened; what became of it looks at the
/// execution's next entry, whenever that was: <b>left</b> (a next entry, or the execution completed after it),
/// <b>failed</b> (its last entry, and the execution failed), <b>dropped off</b> (its last entry, and the execution was
/// cancelled or its wait timed out there), <b>still there</b> (its last entry, the execution still active);
/// <b>waited</b>: the execution logged a wait at the node. Reads the flow's node events, never <c>messages</c>.
/// </summary>
public sealed class FunnelQueries(Database database)
{
    private const string FunnelSql = """
        WITH touched AS (
            SELECT DISTINCT execution_id FROM contact_events
            WHERE type = 'node_entered' AND flow_id = @flow AND occurred_at >= @from AND occurred_at < @to
              AND (@version = 0 OR (data->>'flow_version')::int = @version)
        ), entries AS (
            SELECT e.execution_id, e.node_id, e.occurred_at, e.data->>'node_type' AS node_type,
                   lead(e.id) OVER (PARTITION BY e.execution_id ORDER BY e.id) AS next_id
            FROM contact_events e JOIN touched t ON t.execution_id = e.execution_id
            WHERE e.type = 'node_entered'
        )
        SELECT n.node_id, max(n.node_type),
               count(*),
               count(*) FILTER (WHERE n.next_id IS NOT NULL OR x.status = 'completed'),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM flow_execution_logs l
                                             WHERE l.execution_id = n.execution_id AND l.node_id = n.node_id AND l.event = 'waiting')),
               count(*) FILTER (WHERE n.next_id IS NULL AND x.status = 'failed'),
               count(*) FILTER (WHERE n.next_id IS NULL AND (x.status = 'cancelled'
                                OR (x.status <> 'completed' AND EXISTS (SELECT 1 FROM flow_execution_logs l
                                    WHERE l.execution_id = n.execution_id AND l.node_id = n.node_id AND l.event = 'timeout')))),
               count(*) FILTER (WHERE n.next_id IS NULL AND x.status IN ('running', 'waiting', 'waiting_for_reply')),
               (SELECT count(*) FROM touched)
        FROM entries n JOIN flow_executions x ON x.id = n.execution_id
        WHERE n.occurred_at >= @from AND n.occurred_at < @to
        GROUP BY n.node_id
        ORDER BY count(*) DESC, n.node_id
        """;

    public async Task<(long Executions, IReadOnlyList<FunnelNode> Nodes)> ReadAsync(
        long flowId, int? version, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(FunnelSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("flow", flowId));
        command.Parameters.Add(new NpgsqlParameter<int>("version", version ?? 0));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", from));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", to));
        var nodes = new List<FunnelNode>();
        long executions = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var entered = reader.GetInt64(2);
            var left = reader.GetInt64(3);
            nodes.Add(new FunnelNode(
                reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), entered, left, reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), AnalyticsReportBuilder.Rate(left, entered)));
            executions = reader.GetInt64(8);
        }

        return (executions, nodes);
    }
}
