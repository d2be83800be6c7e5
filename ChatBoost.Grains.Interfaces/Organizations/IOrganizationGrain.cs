namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>
/// One organization, keyed by the integer id from the <c>organizations_id_seq</c> sequence: its profile, its
/// members with their roles, its pending invitations (token hashes only) and the ids of the resources it
/// owns. Its state is the write model; the <c>organizations</c>, <c>organization_members</c> and
/// <c>organization_invitations</c> tables are projections of it for lists, joins and look-ups.
/// Commands take the acting user's id and apply the role rules against the grain's own membership, so the
/// rules hold atomically whatever the caller checked before.
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

    /// <summary>Creates a (non-personal) organization owned by <paramref name="creatorUserId"/>.</summary>
    [Alias("Create")]
    Task<CommandResult<OrganizationView>> CreateAsync(long creatorUserId, string name, string? description);

    /// <summary>The organization, or null when it does not exist (or was deleted).</summary>
    [Alias("Get")]
    Task<OrganizationView?> GetAsync();

    /// <summary>The user's role here, or null when the user is not a member (or the organization does not exist).</summary>
    [Alias("GetRole")]
    Task<OrganizationRole?> GetRoleAsync(long userId);

    [Alias("Update")]
    Task<CommandResult<OrganizationView>> UpdateAsync(long actorUserId, string? name, string? description);

    /// <summary>Deletes the organization (owners only): nobody has access to it or anything it owns afterwards.</summary>
    [Alias("Delete")]
    Task<CommandResult<bool>> DeleteAsync(long actorUserId);

    [Alias("GetMembers")]
    Task<IReadOnlyList<MemberView>> GetMembersAsync();

    [Alias("ChangeRole")]
    Task<CommandResult<MemberView>> ChangeRoleAsync(long actorUserId, long userId, OrganizationRole role);

    /// <summary>Removes a member; a member may also remove themselves (leave). The last owner cannot go.</summary>
    [Alias("RemoveMember")]
    Task<CommandResult<bool>> RemoveMemberAsync(long actorUserId, long userId);

    /// <summary>
    /// Creates an invitation. Nobody becomes a member without accepting one (membership by consent): "adding" an
    /// existing user is an invitation for that account (<see cref="CreateInvitationCommand.InvitedUserId"/>).
    /// </summary>
    [Alias("Invite")]
    Task<CommandResult<InvitationView>> InviteAsync(CreateInvitationCommand command);

    [Alias("GetPendingInvitations")]
    Task<IReadOnlyList<InvitationView>> GetPendingInvitationsAsync();

    /// <summary>Accepts the invitation whose token hashes to <paramref name="tokenHash"/>, for the user with that e-mail.</summary>
    [Alias("AcceptInvitation")]
    Task<CommandResult<MemberView>> AcceptInvitationAsync(string tokenHash, long userId, string normalizedEmail);

    [Alias("RevokeInvitation")]
    Task<CommandResult<bool>> RevokeInvitationAsync(long actorUserId, long invitationId);

    [Alias("GetStats")]
    Task<OrganizationStats?> GetStatsAsync();

    /// <summary>Records that the organization owns resource <paramref name="id"/> of <paramref name="kind"/> ("bots", "flows", …). Idempotent.</summary>
    [Alias("RegisterResource")]
    Task RegisterResourceAsync(string kind, long id);

    /// <summary>
    /// Registers resource <paramref name="id"/> of <paramref name="kind"/> before it is created, unless the organization
    /// has reached its cap on that kind (409, the problem names the cap) or does not exist (404). Idempotent. The
    /// grain's one-at-a-time turns make the count exact however many creations race.
    /// </summary>
    [Alias("ReserveResource")]
    Task<CommandResult<bool>> ReserveResourceAsync(string kind, long id);

    /// <summary>
    /// The <c>webhook_action</c> destinations this organization may reach besides the platform's
    /// <c>FLOW_WEBHOOK_ALLOW_LIST</c> (allow-list syntax: IP, IP:port, [IPv6]:port, CIDR). Empty when it does not exist.
    /// </summary>
    [Alias("GetWebhookAllowList")]
    Task<IReadOnlyList<string>> GetWebhookAllowListAsync();

    /// <summary>
    /// Replaces the organization's allow-list entries. Only platform administrators may call it (the API checks): an
    /// entry opens internal addresses to the organization's flows, which is the operator's decision, not a tenant's.
    /// 422 (field entries) for an entry that is not an address or range; 404 when the organization does not exist.
    /// </summary>
    [Alias("SetWebhookAllowList")]
    Task<CommandResult<IReadOnlyList<string>>> SetWebhookAllowListAsync(IReadOnlyList<string> entries);

    /// <summary>Forgets a resource (deleted). Idempotent.</summary>
    [Alias("UnregisterResource")]
    Task UnregisterResourceAsync(string kind, long id);
}
