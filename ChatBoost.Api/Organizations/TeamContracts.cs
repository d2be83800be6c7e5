using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Api.Organizations;

public sealed class CreateOrganizationRequest : IRequestBody
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public void Validate(ValidationErrors errors)
    {
        errors.Required("name", Name);
        TeamValidation.NameAndDescription(Name, Description, errors);
    }
}

public sealed class UpdateOrganizationRequest : IRequestBody
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (Name is null && Description is null)
        {
            errors.Add("$", "Send at least one of name, description.");
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name", "Must not be blank.");
        }

        TeamValidation.NameAndDescription(Name, Description, errors);
    }
}

/// <summary>Invites a user to join, named by <c>user_id</c> or <c>email</c> (exactly one); they join by accepting.</summary>
public sealed class AddMemberRequest : IRequestBody
{
    public long? UserId { get; init; }

    public string? Email { get; init; }

    public string? Role { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if ((UserId is null) == (Email is null))
        {
            errors.Add("user_id", "Send exactly one of user_id, email.");
        }

        if (UserId is <= 0)
        {
            errors.Add("user_id", "Must be a positive id.");
        }

        if (Email is not null && !EmailAddress.IsValid(Email.Trim()))
        {
            errors.Add("email", "Must be a valid e-mail address.");
        }

        TeamValidation.Role(Role, errors);
    }
}

public sealed class UpdateMemberRequest : IRequestBody
{
    public string? Role { get; init; }

    public void Validate(ValidationErrors errors) => TeamValidation.Role(Role, errors);
}

public sealed class CreateInvitationRequest : IRequestBody
{
    public string? Email { get; init; }

    /// <summary>Defaults to member.</summary>
    public string? Role { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("email", Email) && !EmailAddress.IsValid(Email!.Trim()))
        {
            errors.Add("email", "Must be a valid e-mail address.");
        }

        if (Role is not null)
        {
            TeamValidation.Role(Role, errors);
        }
    }
}

internal static class TeamValidation
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;

    public static void NameAndDescription(string? name, string? description, ValidationErrors errors)
    {
        errors.MaxLength("name", name?.Trim(), MaxNameLength);
        errors.NoControlCharacters("name", name);
        errors.MaxLength("description", description, MaxDescriptionLength);
    }

    public static void Role(string? role, ValidationErrors errors)
    {
        if (errors.Required("role", role) && !RoleNames.TryParse(role, out _))
        {
            errors.Add("role", "Must be one of owner, admin, member, viewer.");
        }
    }
}

public sealed record OrganizationResponse(
    long Id, string Name, string? Description, bool IsPersonal, long CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt, int MemberCount, string? Role)
{
    public static OrganizationResponse From(OrganizationView o, OrganizationRole? callerRole) =>
        new(o.Id, o.Name, o.Description, o.IsPersonal, o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.MemberCount, callerRole is { } r ? RoleNames.ToName(r) : null);
}

public sealed record MyOrganizationResponse(long Id, string Name, string? Description, bool IsPersonal, string Role, DateTimeOffset JoinedAt)
{
    public static MyOrganizationResponse From(MyOrganization o) => new(o.Id, o.Name, o.Description, o.IsPersonal, RoleNames.ToName(o.Role), o.JoinedAt);
}

/// <summary>The answer to accepting an invitation: the organization joined, with the role it gave.</summary>
public sealed record InvitationAcceptedResponse(long OrganizationId, string Role, DateTimeOffset JoinedAt);

public sealed record MemberResponse(long UserId, string? Email, string? FullName, string Role, DateTimeOffset JoinedAt)
{
    public static MemberResponse From(MemberView m) => new(m.UserId, m.Email, m.FullName, RoleNames.ToName(m.Role), m.JoinedAt);
}

/// <summary>
/// An invitation as the organization sees it: by e-mail (the address the inviter typed) or for an account
/// (<c>user_id</c>; the account's address is not shown, so "add member" cannot harvest e-mail addresses).
/// </summary>
public sealed record InvitationResponse(
    long Id, long OrganizationId, string? Email, long? UserId, string Role, string Status, long InvitedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, bool? EmailSent = null)
{
    public static InvitationResponse From(InvitationView i, bool? emailSent = null) =>
        new(i.Id, i.OrganizationId, i.InvitedUserId is null ? i.Email : null, i.InvitedUserId, RoleNames.ToName(i.Role), i.Status.ToString().ToLowerInvariant(),
            i.InvitedBy, i.CreatedAt, i.ExpiresAt, emailSent);
}

public sealed record RoleResponse(string Role, string Description, IReadOnlyList<string> Permissions);

public sealed record PermissionCheckResponse(long OrganizationId, string Permission, bool Allowed, string? Role);

public sealed record OrganizationStatsResponse(
    long OrganizationId, int MemberCount, IReadOnlyDictionary<string, int> MembersByRole, int PendingInvitations, IReadOnlyDictionary<string, int> Resources)
{
    public static OrganizationStatsResponse From(OrganizationStats s) =>
        new(s.OrganizationId, s.MemberCount, s.MembersByRole.ToDictionary(r => RoleNames.ToName(r.Key), r => r.Value), s.PendingInvitations, s.Resources);
}

/// <summary>An organization's own webhook allow-list entries (allow-list syntax: IP, IP:port, [IPv6]:port, CIDR).</summary>
public sealed class WebhookAllowListRequest : IRequestBody
{
    public IReadOnlyList<string>? Entries { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (Entries is null)
        {
            errors.Add("entries", "Required: a list of addresses or ranges ([] removes every entry).");
        }
        else if (Entries.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("entries", "Entries must not be blank.");
        }
    }
}

public sealed record WebhookAllowListResponse(long OrganizationId, IReadOnlyList<string> Entries);
