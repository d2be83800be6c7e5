using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Organizations;

/// <summary>
/// The rules users expect of a team, as pure functions of the organization's state: an organization keeps at
/// least one owner; admins cannot grant owner nor touch an owner; nobody changes their own role. Each returns
/// null when the action is allowed, else the refusal.
/// </summary>
public static class MembershipRules
{
    public static CommandResult<T>? CheckPermission<T>(OrganizationState state, long actorId, string permission)
    {
        if (!state.IsLive || !state.Members.TryGetValue(actorId, out var actor))
        {
            return CommandResult.Fail<T>(CommandStatus.NotFound, "Organization not found.");
        }

        return Permissions.Has(actor.Role, permission)
            ? null
            : CommandResult.Fail<T>(CommandStatus.Forbidden, $"Your role ({actor.Role.ToString().ToLowerInvariant()}) does not have the '{permission}' permission.");
    }

    /// <summary>Whether the actor may hand out <paramref name="role"/> (only owners grant owner).</summary>
    public static CommandResult<T>? CheckGrant<T>(OrganizationState state, long actorId, OrganizationRole role) =>
        role == OrganizationRole.Owner && state.Members[actorId].Role != OrganizationRole.Owner
            ? CommandResult.Fail<T>(CommandStatus.Forbidden, "Only owners can grant the owner role.", "role")
            : null;

    public static CommandResult<T>? CheckChangeRole<T>(OrganizationState state, long actorId, long targetId, OrganizationRole newRole)
    {
        if (CheckPermission<T>(state, actorId, Permissions.MembersManage) is { } refused)
        {
            return refused;
        }

        if (!state.Members.TryGetValue(targetId, out var target))
        {
            return CommandResult.Fail<T>(CommandStatus.NotFound, "Member not found.");
        }

        if (actorId == targetId)
        {
            return CommandResult.Fail<T>(CommandStatus.Forbidden, "You cannot change your own role.");
        }

        if (target.Role == OrganizationRole.Owner && state.Members[actorId].Role != OrganizationRole.Owner)
        {
            return CommandResult.Fail<T>(CommandStatus.Forbidden, "Only owners can change an owner's role.");
        }

        if (CheckGrant<T>(state, actorId, newRole) is { } notGrantable)
        {
            return notGrantable;
        }

        return target.Role == OrganizationRole.Owner && newRole != OrganizationRole.Owner && state.OwnerCount == 1
            ? CommandResult.Fail<T>(CommandStatus.Conflict, "An organization must keep at least one owner.")
            : null;
    }

    public static CommandResult<T>? CheckRemove<T>(OrganizationState state, long actorId, long targetId)
    {
        if (!state.IsLive || !state.Members.ContainsKey(actorId))
        {
            return CommandResult.Fail<T>(CommandStatus.NotFound, "Organization not found.");
        }

        if (actorId != targetId && CheckPermission<T>(state, actorId, Permissions.MembersManage) is { } refused)
        {
            return refused;
        }

        if (!state.Members.TryGetValue(targetId, out var target))
        {
            return CommandResult.Fail<T>(CommandStatus.NotFound, "Member not found.");
        }

        if (actorId != targetId && target.Role == OrganizationRole.Owner && state.Members[actorId].Role != OrganizationRole.Owner)
        {
            return CommandResult.Fail<T>(CommandStatus.Forbidden, "Only owners can remove an owner.");
        }

        return target.Role == OrganizationRole.Owner && state.OwnerCount == 1
            ? CommandResult.Fail<T>(CommandStatus.Conflict, "An organization must keep at least one owner: make someone else owner first.")
            : null;
    }

    /// <summary>Whether a pending invitation is for the same invitee as a new one: the same account, else the same address.</summary>
    public static bool SameInvitee(InvitationRecord pending, CreateInvitationCommand command) =>
        command.InvitedUserId is { } userId ? pending.InvitedUserId == userId : pending.InvitedUserId is null && pending.Email == command.Email;
}
