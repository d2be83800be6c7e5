
namespace ChatBoost.Grains.Interfaces.Organizations;

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

    public static bool TryParse(string? name, out OrganizationRole role)
    {
        (var known, role) = name switch
        {
            "owner" => (true, OrganizationRole.Owner),
            "admin" => (true, OrganizationRole.Admin),
            "member" => (true, OrganizationRole.Member),
            "viewer" => (true, OrganizationRole.Viewer),
            _ => (false, OrganizationRole.Viewer),
        };
        return known;
    }

    public static OrganizationRole Parse(string name) =>
        TryParse(name, out var role) ? role : throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown role.");
}
