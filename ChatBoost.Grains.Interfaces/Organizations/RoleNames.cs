using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Organizations;

/// <summary>The role names stored in the query tables and shown by the API.</summary>
public static class RoleNames
{
    public static string ToName(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => "owner",
        OrganizationRole.Admin => "admin",
        OrganizationRole.Member => "member",
        OrganizationRole.Viewer => "viewer",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };
}
