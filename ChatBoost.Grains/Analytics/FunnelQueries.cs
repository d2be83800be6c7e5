using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// A flow's per-node funnel over a range of whole UTC hours, read from the funnel rollup (<see cref="FunnelRollup"/> has
/// the definitions): the hours' rows summed per node, and the distinct executions that entered a node in the range. It
/// reads at most one row per hour, version and node of the flow, never the node events or <c>messages</c>.
/// </summary>
public sealed class FunnelQueries(Database database)
{
    private const string FunnelSql = """
        SELECT node_id, max(node_type), sum(entered)::bigint, sum(left_count)::bigint, sum(waited)::bigint, sum(failed)::bigint,
               sum(dropped_off)::bigint, sum(still_there)::bigint
        FROM flow_node_hourly_stats
        WHERE flow_id = @flow AND hour >= @from AND hour < @to AND (@version = 0 OR flow_version = @version)
        GROUP BY node_id
        ORDER BY sum(entered) DESC, node_id;
        SELECT count(DISTINCT execution_id) FROM flow_execution_hours
        WHERE flow_id = @flow AND hour >= @from AND hour < @to AND (@version = 0 OR flow_version = @version);
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
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var entered = reader.GetInt64(2);
            var left = reader.GetInt64(3);
            nodes.Add(new FunnelNode(
                reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), entered, left, reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), AnalyticsReportBuilder.Rate(left, entered)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), nodes);
    }
}
