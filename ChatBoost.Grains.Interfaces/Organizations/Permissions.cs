namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>
/// The named permissions every endpoint is checked against, and the published role → permission matrix
/// (<c>GET /team/roles</c>). Roles are cumulative: viewer ⊂ member ⊂ admin ⊂ owner.
/// </summary>
public static class Permissions
{
    public const string OrganizationRead = "organization.read";
    public const string OrganizationUpdate = "organization.update";
    public const string OrganizationDelete = "organization.delete";
    public const string MembersRead = "members.read";
    public const string MembersManage = "members.manage";
    public const string BotsRead = "bots.read";
    public const string BotsWrite = "bots.write";
    public const string FlowsRead = "flows.read";
    public const string FlowsWrite = "flows.write";
    public const string FlowsExecute = "flows.execute";
    public const string ContactsRead = "contacts.read";
    public const string ContactsWrite = "contacts.write";
    public const string MessagesRead = "messages.read";
    public const string MessagesSend = "messages.send";
    public const string TriggersRead = "triggers.read";
    public const string TriggersWrite = "triggers.write";
    public const string AnalyticsRead = "analytics.read";

    private static readonly string[] ViewerPermissions =
    [
        OrganizationRead, MembersRead, BotsRead, FlowsRead, ContactsRead, MessagesRead, TriggersRead, AnalyticsRead,
    ];

    private static readonly string[] MemberPermissions =
    [
        .. ViewerPermissions, BotsWrite, FlowsWrite, FlowsExecute, ContactsWrite, MessagesSend, TriggersWrite,
    ];

    private static readonly string[] AdminPermissions = [.. MemberPermissions, OrganizationUpdate, MembersManage];

    private static readonly string[] OwnerPermissions = [.. AdminPermissions, OrganizationDelete];

    private static readonly Dictionary<OrganizationRole, IReadOnlySet<string>> Matrix = new()
    {
        [OrganizationRole.Viewer] = ViewerPermissions.ToHashSet(StringComparer.Ordinal),
        [OrganizationRole.Member] = MemberPermissions.ToHashSet(StringComparer.Ordinal),
        [OrganizationRole.Admin] = AdminPermissions.ToHashSet(StringComparer.Ordinal),
        [OrganizationRole.Owner] = OwnerPermissions.ToHashSet(StringComparer.Ordinal),
    };

    /// <summary>Every permission, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = OwnerPermissions;

    public static bool IsKnown(string permission) => Matrix[OrganizationRole.Owner].Contains(permission);

    public static IReadOnlySet<string> Of(OrganizationRole role) => Matrix[role];

    public static bool Has(OrganizationRole role, string permission) => Matrix[role].Contains(permission);
}
