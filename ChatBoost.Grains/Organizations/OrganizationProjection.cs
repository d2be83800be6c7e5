using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;

namespace ChatBoost.Grains.Organizations;

/// <summary>
/// Writes an organization's state into the query tables (<c>organizations</c>, <c>organization_members</c>,
/// <c>organization_invitations</c>). Idempotent: it replaces the organization's rows with what the state says,
/// so re-running it after a failure, or on every activation, converges. Invitations pruned from the state
/// keep their last row in the table.
/// </summary>
public sealed class OrganizationProjection(Database database)
{
    public async Task SaveAsync(long organizationId, OrganizationState state, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO organizations (id, name, description, is_personal, created_by, created_at, updated_at, deleted_at)
            VALUES (@Id, @Name, @Description, @IsPersonal, @CreatedBy, @CreatedAt, @UpdatedAt, @DeletedAt)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                is_personal = excluded.is_personal, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
            """,
            new { Id = organizationId, state.Name, state.Description, state.IsPersonal, state.CreatedBy, state.CreatedAt, state.UpdatedAt, state.DeletedAt },
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

        var invitations = state.Invitations.Values.ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO organization_invitations (id, organization_id, email_normalized, role, token_hash, status, invited_by, created_at, expires_at, accepted_by, closed_at)
            SELECT i.id, @Id, i.email, i.role, i.token_hash, i.status, i.invited_by, i.created_at, i.expires_at, i.accepted_by, i.closed_at
            FROM unnest(@Ids, @Emails, @Roles, @TokenHashes, @Statuses, @InvitedBy, @CreatedAt, @ExpiresAt, @AcceptedBy, @ClosedAt)
                AS i(id, email, role, token_hash, status, invited_by, created_at, expires_at, accepted_by, closed_at)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, accepted_by = excluded.accepted_by, closed_at = excluded.closed_at
            """,
            new
            {
                Id = organizationId,
                Ids = invitations.Select(i => i.Id).ToArray(),
                Emails = invitations.Select(i => i.Email).ToArray(),
                Roles = invitations.Select(i => RoleNames.ToName(i.Role)).ToArray(),
                TokenHashes = invitations.Select(i => i.TokenHash).ToArray(),
                Statuses = invitations.Select(i => i.Status.ToString().ToLowerInvariant()).ToArray(),
                InvitedBy = invitations.Select(i => i.InvitedBy).ToArray(),
                CreatedAt = invitations.Select(i => i.CreatedAt).ToArray(),
                ExpiresAt = invitations.Select(i => i.ExpiresAt).ToArray(),
                AcceptedBy = invitations.Select(i => i.AcceptedBy).ToArray(),
                ClosedAt = invitations.Select(i => i.ClosedAt).ToArray(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }
}
