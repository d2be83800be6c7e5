using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Organizations;

/// <inheritdoc cref="IOrganizationRegistryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class OrganizationRegistryGrain(Database database) : Grain, IOrganizationRegistryGrain
{
    /// <summary>Through the creator's <see cref="IOrganizationFounderGrain"/>, which holds the per-user cap.</summary>
    public Task<CommandResult<OrganizationView>> CreateAsync(long creatorUserId, string name, string? description) =>
        GrainFactory.GetGrain<IOrganizationFounderGrain>(creatorUserId).CreateAsync(name, description);

    public async Task<IReadOnlyList<MyOrganization>> ListForUserAsync(long userId)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(long Id, string Name, string? Description, bool IsPersonal, string Role, DateTime JoinedAt)>(
            """
            SELECT o.id, o.name, o.description, o.is_personal, m.role, m.joined_at
            FROM organization_members m
            JOIN organizations o ON o.id = m.organization_id AND o.deleted_at IS NULL
            WHERE m.user_id = @UserId
            ORDER BY o.id
            """,
            new { UserId = userId });
        return [.. rows.Select(r => new MyOrganization(r.Id, r.Name, r.Description, r.IsPersonal, RoleNames.Parse(r.Role), Utc(r.JoinedAt)))];
    }

    public async Task<IReadOnlyList<MemberView>> ListMembersAsync(long organizationId, int limit, int offset)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(long UserId, string Role, DateTime JoinedAt, string Email, string? FullName)>(
            """
            SELECT m.user_id, m.role, m.joined_at, u.email, u.full_name
            FROM organization_members m
            JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = @OrganizationId
            ORDER BY m.joined_at, m.user_id
            LIMIT @Limit OFFSET @Offset
            """,
            new { OrganizationId = organizationId, Limit = limit, Offset = offset });
        return [.. rows.Select(r => new MemberView(r.UserId, RoleNames.Parse(r.Role), Utc(r.JoinedAt), r.Email, r.FullName))];
    }

    public async Task<long?> FindOrganizationOfInvitationTokenAsync(string tokenHash)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT organization_id FROM organization_invitations WHERE token_hash = @TokenHash", new { TokenHash = tokenHash });
    }

    public async Task<long?> FindOrganizationOfInvitationAsync(long invitationId)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT organization_id FROM organization_invitations WHERE id = @Id", new { Id = invitationId });
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
