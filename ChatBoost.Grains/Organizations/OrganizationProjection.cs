using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;

namespace ChatBoost.Grains.Organizations;

/// <summary>
/// Writes an organization's state into the query tables (<c>organizations</c>, <c>organization_members</c>).
/// Idempotent: it replaces the organization's rows with what the state says, so re-running it after a
/// failure, or on every activation, converges.
/// </summary>
public sealed class OrganizationProjection(Database database)
{
    public async Task SaveAsync(long organizationId, OrganizationState state, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO organizations (id, name, is_personal, created_by, created_at, deleted_at)
            VALUES (@Id, @Name, @IsPersonal, @CreatedBy, @CreatedAt, @DeletedAt)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, is_personal = excluded.is_personal, deleted_at = excluded.deleted_at
            """,
            new { Id = organizationId, state.Name, state.IsPersonal, state.CreatedBy, state.CreatedAt, state.DeletedAt },
            transaction,
            cancellationToken: cancellationToken));

        var userIds = state.Members.Keys.ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM organization_members WHERE organization_id = @Id AND NOT (user_id = ANY(@UserIds))",
            new { Id = organizationId, UserIds = userIds },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO organization_members (organization_id, user_id, role, joined_at)
            SELECT @Id, m.user_id, m.role, m.joined_at
            FROM unnest(@UserIds, @Roles, @JoinedAt) AS m(user_id, role, joined_at)
            ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role
            """,
            new
            {
                Id = organizationId,
                UserIds = userIds,
                Roles = userIds.Select(id => RoleNames.ToName(state.Members[id].Role)).ToArray(),
                JoinedAt = userIds.Select(id => state.Members[id].JoinedAt).ToArray(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
