using ChatBoost.Grains.Flows.Http;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Notifications;
using Dapper;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Organizations;

/// <inheritdoc cref="IOrganizationGrain"/>
public sealed class OrganizationGrain(
    [PersistentState("organization", "Default")] IPersistentState<OrganizationState> state,
    OrganizationProjection projection,
    Database database,
    TimeProvider time,
    IOptions<OrganizationLimits> limits,
    TeamNotifications team) : Grain, IOrganizationGrain
{
    /// <summary>More pending invitations than this is a mistake or abuse.</summary>
    public const int MaxPendingInvitations = 200;

    /// <summary>An allow-list is a few internal services, not a network map.</summary>
    public const int MaxWebhookAllowListEntries = 50;

    /// <summary>Closed invitations are kept in state this long, then only in the table.</summary>
    private static readonly TimeSpan ClosedInvitationRetention = TimeSpan.FromDays(30);

    private long Id => this.GetPrimaryKeyLong();

    private OrganizationState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The projection is idempotent; re-running it here repairs one that failed after a state write.
        if (S.Exists)
        {
            await projection.SaveAsync(Id, S, cancellationToken);
        }
    }

    public async Task<OrganizationView> EnsurePersonalAsync(long ownerUserId, string name)
    {
        if (S.Exists)
        {
            if (!S.IsPersonal || S.CreatedBy != ownerUserId)
            {
                throw new InvalidOperationException($"Organization {Id} exists and is not the personal organization of user {ownerUserId}.");
            }

            return ToView();
        }

        Initialize(ownerUserId, name, null, isPersonal: true);
        await SaveAsync();
        return ToView();
    }

    public async Task<CommandResult<OrganizationView>> CreateAsync(long creatorUserId, string name, string? description)
    {
        if (S.Exists)
        {
            return CommandResult.Fail<OrganizationView>(CommandStatus.Conflict, "Organization already exists.");
        }

        Initialize(creatorUserId, name, description, isPersonal: false);
        await SaveAsync();
        return CommandResult.Ok(ToView());
    }

    public Task<OrganizationView?> GetAsync() => Task.FromResult(S.IsLive ? ToView() : null);

    public Task<OrganizationRole?> GetRoleAsync(long userId) =>
        Task.FromResult(S.IsLive && S.Members.TryGetValue(userId, out var member) ? member.Role : (OrganizationRole?)null);

    public async Task<CommandResult<OrganizationView>> UpdateAsync(long actorUserId, string? name, string? description)
    {
        if (MembershipRules.CheckPermission<OrganizationView>(S, actorUserId, Permissions.OrganizationUpdate) is { } refused)
        {
            return refused;
        }

        S.Name = name ?? S.Name;
        S.Description = description ?? S.Description;
        S.UpdatedAt = time.GetUtcNow();
        await SaveAsync();
        return CommandResult.Ok(ToView());
    }

    public async Task<CommandResult<bool>> DeleteAsync(long actorUserId)
    {
        if (MembershipRules.CheckPermission<bool>(S, actorUserId, Permissions.OrganizationDelete) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        S.DeletedAt = now;
        foreach (var invitation in S.Invitations.Values.Where(i => i.Status == InvitationStatus.Pending).ToList())
        {
            S.Invitations[invitation.Id] = invitation with { Status = InvitationStatus.Revoked, ClosedAt = now };
        }

        await SaveAsync();
        return CommandResult.Ok(true);
    }

    public Task<IReadOnlyList<MemberView>> GetMembersAsync() =>
        Task.FromResult<IReadOnlyList<MemberView>>(S.IsLive
            ? [.. S.Members.OrderBy(m => m.Value.JoinedAt).Select(m => new MemberView(m.Key, m.Value.Role, m.Value.JoinedAt))]
            : []);

    public async Task<CommandResult<MemberView>> ChangeRoleAsync(long actorUserId, long userId, OrganizationRole role)
    {
        if (MembershipRules.CheckChangeRole<MemberView>(S, actorUserId, userId, role) is { } refused)
        {
            return refused;
        }

        var member = S.Members[userId] with { Role = role };
        S.Members[userId] = member;
        await SaveAsync();
        await team.RoleChangedAsync(Id, S.Name, userId, role);
        return CommandResult.Ok(new MemberView(userId, member.Role, member.JoinedAt));
    }

    public async Task<CommandResult<bool>> RemoveMemberAsync(long actorUserId, long userId)
    {
        if (MembershipRules.CheckRemove<bool>(S, actorUserId, userId) is { } refused)
        {
            return refused;
        }

        S.Members.Remove(userId);
        await SaveAsync();
        await team.RemovedAsync(Id, S.Name, userId, byOther: actorUserId != userId);

        return CommandResult.Ok(true);
    }

    public async Task<CommandResult<InvitationView>> InviteAsync(CreateInvitationCommand command)
    {
        if ((MembershipRules.CheckPermission<InvitationView>(S, command.ActorUserId, Permissions.MembersManage)
             ?? MembershipRules.CheckGrant<InvitationView>(S, command.ActorUserId, command.Role)) is { } refused)
        {
            return refused;
        }

        if (command.InvitedUserId is { } invitee && S.Members.ContainsKey(invitee))
        {
            return CommandResult.Fail<InvitationView>(CommandStatus.Conflict, "The user is already a member.");
        }

        var now = time.GetUtcNow();
        var pending = S.Invitations.Values.Where(i => i.StatusAt(now) == InvitationStatus.Pending).ToList();
        if (pending.Count >= MaxPendingInvitations)
        {
            return CommandResult.Fail<InvitationView>(CommandStatus.Conflict, $"At most {MaxPendingInvitations} invitations may be pending; revoke some first.");
        }

        // Inviting the same address (or account) again replaces its pending invitation (a "resend"): one valid link each.
        foreach (var previous in pending.Where(i => MembershipRules.SameInvitee(i, command)))
        {
            S.Invitations[previous.Id] = previous with { Status = InvitationStatus.Revoked, ClosedAt = now };
        }

        var id = await NextInvitationIdAsync();
        var invitation = new InvitationRecord(
            id, command.Email, command.Role, command.TokenHash, command.ActorUserId, now, now + command.ValidFor, InvitationStatus.Pending, InvitedUserId: command.InvitedUserId);
        S.Invitations[id] = invitation;
        PruneClosedInvitations(now);
        await SaveAsync();
        await team.InvitedAsync(Id, S.Name, id, command.InvitedUserId, command.Email, command.Role);
        return CommandResult.Ok(ToView(invitation, now));
    }

    public Task<IReadOnlyList<InvitationView>> GetPendingInvitationsAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<InvitationView>>(S.IsLive
            ? [.. S.Invitations.Values.Where(i => i.StatusAt(now) == InvitationStatus.Pending).OrderBy(i => i.Id).Select(i => ToView(i, now))]
            : []);
    }

    public async Task<CommandResult<MemberView>> AcceptInvitationAsync(string tokenHash, long userId, string normalizedEmail)
    {
        var now = time.GetUtcNow();
        var invitation = S.Invitations.Values.FirstOrDefault(i => i.TokenHash == tokenHash);
        if (!S.IsLive || invitation is null)
        {
            return CommandResult.Fail<MemberView>(CommandStatus.NotFound, "Invitation not found.");
        }

        switch (invitation.StatusAt(now))
        {
            case InvitationStatus.Accepted:
                return CommandResult.Fail<MemberView>(CommandStatus.Conflict, "This invitation has already been used.");
            case InvitationStatus.Revoked:
                return CommandResult.Fail<MemberView>(CommandStatus.Gone, "This invitation has been revoked.");
            case InvitationStatus.Expired:
                return CommandResult.Fail<MemberView>(CommandStatus.Gone, "This invitation has expired.");
        }

        if (invitation.Email != normalizedEmail || (invitation.InvitedUserId is { } invitee && invitee != userId))
        {
            return CommandResult.Fail<MemberView>(CommandStatus.Forbidden, "This invitation was sent to another e-mail address.");
        }

        if (S.Members.ContainsKey(userId))
        {
            return CommandResult.Fail<MemberView>(CommandStatus.Conflict, "You are already a member of this organization.");
        }

        var member = new MemberRecord(invitation.Role, now);
        S.Members[userId] = member;
        S.Invitations[invitation.Id] = invitation with { Status = InvitationStatus.Accepted, AcceptedBy = userId, ClosedAt = now };
        await SaveAsync();
        return CommandResult.Ok(new MemberView(userId, member.Role, member.JoinedAt));
    }

    public async Task<CommandResult<bool>> RevokeInvitationAsync(long actorUserId, long invitationId)
    {
        if (MembershipRules.CheckPermission<bool>(S, actorUserId, Permissions.MembersManage) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        if (!S.Invitations.TryGetValue(invitationId, out var invitation))
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Invitation not found.");
        }

        if (invitation.StatusAt(now) != InvitationStatus.Pending)
        {
            return CommandResult.Fail<bool>(CommandStatus.Conflict, $"The invitation is already {invitation.StatusAt(now).ToString().ToLowerInvariant()}.");
        }

        S.Invitations[invitationId] = invitation with { Status = InvitationStatus.Revoked, ClosedAt = now };
        await SaveAsync();
        return CommandResult.Ok(true);
    }

    public Task<OrganizationStats?> GetStatsAsync()
    {
        if (!S.IsLive)
        {
            return Task.FromResult<OrganizationStats?>(null);
        }

        var now = time.GetUtcNow();
        var byRole = Enum.GetValues<OrganizationRole>().ToDictionary(r => r, r => S.Members.Values.Count(m => m.Role == r));
        return Task.FromResult<OrganizationStats?>(new OrganizationStats(
            Id,
            S.Members.Count,
            byRole,
            S.Invitations.Values.Count(i => i.StatusAt(now) == InvitationStatus.Pending),
            S.Resources.ToDictionary(r => r.Key, r => r.Value.Count, StringComparer.Ordinal)));
    }

    public async Task RegisterResourceAsync(string kind, long id)
    {
        if (!S.Exists)
        {
            return;
        }

        if (!S.Resources.TryGetValue(kind, out var ids))
        {
            S.Resources[kind] = ids = [];
        }

        if (ids.Add(id))
        {
            await SaveAsync();
        }
    }

    public async Task<CommandResult<bool>> ReserveResourceAsync(string kind, long id)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<bool>(CommandStatus.NotFound, "Organization not found.");
        }

        if (!S.Resources.TryGetValue(kind, out var ids))
        {
            S.Resources[kind] = ids = [];
        }

        if (ids.Contains(id))
        {
            return CommandResult.Ok(true);
        }

        if (limits.Value.For(kind) is { } cap && ids.Count >= cap)
        {
            return CommandResult.Fail<bool>(CommandStatus.Conflict,
                $"This organization has {ids.Count} {kind}, the most allowed ({OrganizationLimits.VariableFor(kind)} = {cap}); delete some first.");
        }

        ids.Add(id);
        await SaveAsync();
        return CommandResult.Ok(true);
    }

    public Task<IReadOnlyList<string>> GetWebhookAllowListAsync() =>
        Task.FromResult<IReadOnlyList<string>>(S.IsLive ? [.. S.WebhookAllowList] : []);

    public async Task<CommandResult<IReadOnlyList<string>>> SetWebhookAllowListAsync(IReadOnlyList<string> entries)
    {
        if (!S.IsLive)
        {
            return CommandResult.Fail<IReadOnlyList<string>>(CommandStatus.NotFound, "Organization not found.");
        }

        var cleaned = entries.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (cleaned.Count > MaxWebhookAllowListEntries)
        {
            return CommandResult.Fail<IReadOnlyList<string>>(CommandStatus.Invalid, $"At most {MaxWebhookAllowListEntries} entries.", "entries");
        }

        try
        {
            AllowList.Parse(cleaned);
        }
        catch (ArgumentException e)
        {
            return CommandResult.Fail<IReadOnlyList<string>>(CommandStatus.Invalid, e.Message.Split(" (Parameter")[0], "entries");
        }

        S.WebhookAllowList = cleaned;
        await SaveAsync();
        return CommandResult.Ok<IReadOnlyList<string>>([.. cleaned]);
    }

    public async Task UnregisterResourceAsync(string kind, long id)
    {
        if (S.Resources.TryGetValue(kind, out var ids) && ids.Remove(id))
        {
            await SaveAsync();
        }
    }

    private void Initialize(long ownerUserId, string name, string? description, bool isPersonal)
    {
        var now = time.GetUtcNow();
        S.Exists = true;
        S.Name = name;
        S.Description = description;
        S.IsPersonal = isPersonal;
        S.CreatedBy = ownerUserId;
        S.CreatedAt = now;
        S.Members[ownerUserId] = new MemberRecord(OrganizationRole.Owner, now);
    }

    /// <summary>
    /// State first (the truth), then the projection. If either fails the call fails and the activation is
    /// dropped, so the next call starts from what is stored (never from an unsaved change in memory), and
    /// the next activation re-projects.
    /// </summary>
    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
            await projection.SaveAsync(Id, S);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task<long> NextInvitationIdAsync()
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT nextval('organization_invitations_id_seq')");
    }

    private void PruneClosedInvitations(DateTimeOffset now)
    {
        foreach (var old in S.Invitations.Values.Where(i => i.ClosedAt is { } closed && now - closed > ClosedInvitationRetention).ToList())
        {
            S.Invitations.Remove(old.Id);
        }
    }

    private InvitationView ToView(InvitationRecord i, DateTimeOffset now) =>
        new(i.Id, Id, i.Email, i.Role, i.StatusAt(now), i.InvitedBy, i.CreatedAt, i.ExpiresAt, i.InvitedUserId);

    private OrganizationView ToView() =>
        new(Id, S.Name, S.IsPersonal, S.CreatedBy, S.CreatedAt, S.Members.Count, S.Description, S.UpdatedAt);
}
