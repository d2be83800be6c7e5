namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>
/// One organization, keyed by the integer id from the <c>organizations</c> sequence: its profile and its
/// members with their roles. Its state is the write model; the <c>organizations</c> and
/// <c>organization_members</c> tables are projections of it for lists and joins.
/// </summary>
[Alias("chatboost.organizations.IOrganizationGrain")]
public interface IOrganizationGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Creates the personal organization of a new user, with that user as owner. Idempotent: calling it
    /// again for the same owner changes nothing, so a registration that failed half way can be repaired.
    /// </summary>
    [Alias("EnsurePersonal")]
    Task<OrganizationView> EnsurePersonalAsync(long ownerUserId, string name);

    /// <summary>The organization, or null when it does not exist (or was deleted).</summary>
    [Alias("Get")]
    Task<OrganizationView?> GetAsync();

    /// <summary>The user's role here, or null when the user is not a member (or the organization does not exist).</summary>
    [Alias("GetRole")]
    Task<OrganizationRole?> GetRoleAsync(long userId);
}
