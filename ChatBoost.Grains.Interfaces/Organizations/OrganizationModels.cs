namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>A member's role in an organization. The permission matrix maps each to its permissions.</summary>
[GenerateSerializer, Alias("chatboost.organizations.OrganizationRole")]
public enum OrganizationRole
{
    Viewer = 0,
    Member = 1,
    Admin = 2,
    Owner = 3,
}

[GenerateSerializer, Immutable, Alias("chatboost.organizations.OrganizationView")]
public sealed record OrganizationView(
    [property: Id(0)] long Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool IsPersonal,
    [property: Id(3)] long CreatedBy,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] int MemberCount,
    [property: Id(6)] string? Description = null,
    [property: Id(7)] DateTimeOffset? UpdatedAt = null);

[GenerateSerializer, Immutable, Alias("chatboost.organizations.MemberView")]
public sealed record MemberView(
    [property: Id(0)] long UserId,
    [property: Id(1)] OrganizationRole Role,
    [property: Id(2)] DateTimeOffset JoinedAt,
    [property: Id(3)] string? Email = null,
    [property: Id(4)] string? FullName = null);

[GenerateSerializer, Alias("chatboost.organizations.InvitationStatus")]
public enum InvitationStatus
{
    Pending = 0,
    Accepted = 1,
    Revoked = 2,
    Expired = 3,
}

[GenerateSerializer, Immutable, Alias("chatboost.organizations.InvitationView")]
public sealed record InvitationView(
    [property: Id(0)] long Id,
    [property: Id(1)] long OrganizationId,
    [property: Id(2)] string Email,
    [property: Id(3)] OrganizationRole Role,
    [property: Id(4)] InvitationStatus Status,
    [property: Id(5)] long InvitedBy,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset ExpiresAt,
    [property: Id(8)] long? InvitedUserId = null);

/// <summary>
/// An invitation to create; the token itself never reaches the grain, only its SHA-256. <see cref="InvitedUserId"/>
/// is set when a manager "adds" an existing user by id: the invitation is then for that account only, and its e-mail
/// address (looked up by the API, empty when no active account has the id) is never shown to the organization.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.organizations.CreateInvitationCommand")]
public sealed record CreateInvitationCommand(
    [property: Id(0)] long ActorUserId,
    [property: Id(1)] string Email,
    [property: Id(2)] OrganizationRole Role,
    [property: Id(3)] string TokenHash,
    [property: Id(4)] TimeSpan ValidFor,
    [property: Id(5)] long? InvitedUserId = null);

[GenerateSerializer, Immutable, Alias("chatboost.organizations.OrganizationStats")]
public sealed record OrganizationStats(
    [property: Id(0)] long OrganizationId,
    [property: Id(1)] int MemberCount,
    [property: Id(2)] IReadOnlyDictionary<OrganizationRole, int> MembersByRole,
    [property: Id(3)] int PendingInvitations,
    [property: Id(4)] IReadOnlyDictionary<string, int> Resources);

[GenerateSerializer, Immutable, Alias("chatboost.organizations.MyOrganization")]
public sealed record MyOrganization(
    [property: Id(0)] long Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] bool IsPersonal,
    [property: Id(4)] OrganizationRole Role,
    [property: Id(5)] DateTimeOffset JoinedAt);
