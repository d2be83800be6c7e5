using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.Flows;

/// <summary>
/// Writes a flow's state into <c>flows</c> and <c>flow_nodes</c> (node id → flow, for <c>/bots/nodes/{node_id}</c>).
/// Idempotent: it replaces the flow's rows with what the state says.
/// </summary>
public sealed class FlowProjection(Database database)
{
    public async Task SaveAsync(long flowId, FlowState s, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO flows (id, bot_id, organization_id, name, description, entry_node_id, node_count, latest_version, created_by, created_at, updated_at, deleted_at)
            VALUES (@Id, @BotId, @OrganizationId, @Name, @Description, @EntryNodeId, @NodeCount, @LatestVersion, @CreatedBy, @CreatedAt, @UpdatedAt, @DeletedAt)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, entry_node_id = excluded.entry_node_id,
                node_count = excluded.node_count, latest_version = excluded.latest_version, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
            """,
            new
            {
                Id = flowId,
                s.BotId,
                s.OrganizationId,
                s.Name,
                s.Description,
                s.EntryNodeId,
                NodeCount = s.Nodes.Count,
                s.LatestVersion,
                s.CreatedBy,
                s.CreatedAt,
                s.UpdatedAt,
                s.DeletedAt,
            },
            transaction,
            cancellationToken: cancellationToken));
        var nodeIds = s.Nodes.Keys.ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM flow_nodes WHERE flow_id = @Id AND NOT (node_id = ANY(@NodeIds))",
            new { Id = flowId, NodeIds = nodeIds },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO flow_nodes (node_id, flow_id, bot_id, organization_id)
            SELECT n, @Id, @BotId, @OrganizationId FROM unnest(@NodeIds) AS n
            ON CONFLICT (node_id) DO NOTHING
            """,
            new { Id = flowId, s.BotId, s.OrganizationId, NodeIds = nodeIds },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
