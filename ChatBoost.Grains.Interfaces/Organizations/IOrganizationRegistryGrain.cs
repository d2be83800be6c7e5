namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>
/// Look-ups across organizations, read from the projection tables: a stateless worker on every silo.
/// Authoritative decisions (roles, invitation validity) are made by the organization grain itself.
/// </summary>
[Alias("chatboost.organizations.IOrganizationRegistryGrain")]
public interface IOrganizationRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Allocates an id and creates the organization with its creator as owner.</summary>
    [Alias("Create")]
    Task<CommandResult<OrganizationView>> CreateAsync(long creatorUserId, string name, string? description);

    /// <summary>The organizations the user belongs to, with the user's role in each.</summary>
    [Alias("ListForUser")]
    Task<IReadOnlyList<MyOrganization>> ListForUserAsync(long userId);

    /// <summary>Members with their e-mail and name, by join date.</summary>
    [Alias("ListMembers")]
    Task<IReadOnlyList<MemberView>> ListMembersAsync(long organizationId, int limit, int offset);

    /// <summary>The organization holding the invitation with this token hash, or null.</summary>
    [Alias("FindInvitationByToken")]
    Task<long?> FindOrganizationOfInvitationTokenAsync(string tokenHash);

    /// <summary>The organization holding the invitation with this id, or null.</summary>
    [Alias("FindInvitation")]
    Task<long?> FindOrganizationOfInvitationAsync(long invitationId);
}
