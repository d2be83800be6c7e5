using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Organizations;
using Dapper;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Organizations;

/// <inheritdoc cref="IOrganizationFounderGrain"/>
/// <remarks>Not reentrant: one creation at a time per user, so counting then creating cannot overshoot the cap.</remarks>
public sealed class OrganizationFounderGrain(Database database, IOptions<OrganizationLimits> limits) : Grain, IOrganizationFounderGrain
{
    public async Task<CommandResult<OrganizationView>> CreateAsync(string name, string? description)
    {
        var userId = this.GetPrimaryKeyLong();
        var cap = limits.Value.OrganizationsPerUser;
        long id;
        await using (var connection = await database.OpenAsync())
        {
            var created = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM organizations WHERE created_by = @UserId AND NOT is_personal AND deleted_at IS NULL",
                new { UserId = userId });
            if (created >= cap)
            {
                return CommandResult.Fail<OrganizationView>(CommandStatus.Conflict,
                    $"You have created {created} organizations, the most allowed (LIMITS_ORGANIZATIONS_PER_USER = {cap}); delete one first.");
            }

            id = await connection.ExecuteScalarAsync<long>("SELECT nextval('organizations_id_seq')");
        }

        return await GrainFactory.GetGrain<IOrganizationGrain>(id).CreateAsync(userId, name, description);
    }
}
