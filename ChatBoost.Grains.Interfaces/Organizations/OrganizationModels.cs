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
    [property: Id(5)] int MemberCount);
