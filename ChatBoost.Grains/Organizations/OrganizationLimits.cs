namespace ChatBoost.Grains.Organizations;

/// <summary>
/// Per-tenant caps, so one free account cannot fill the platform (configuration section <c>Limits</c>, environment
/// variables <c>LIMITS_*</c>). A create past a cap is refused with 409 and a problem that names the cap.
/// </summary>
public sealed class OrganizationLimits
{
    public const string Section = "Limits";

    /// <summary>Live bots per organization (<c>LIMITS_BOTS_PER_ORGANIZATION</c>).</summary>
    public int BotsPerOrganization { get; set; } = 50;

    /// <summary>Templates per organization (<c>LIMITS_TEMPLATES_PER_ORGANIZATION</c>).</summary>
    public int TemplatesPerOrganization { get; set; } = 200;

    /// <summary>Live organizations a user has created, besides their personal one (<c>LIMITS_ORGANIZATIONS_PER_USER</c>).</summary>
    public int OrganizationsPerUser { get; set; } = 20;

    /// <summary>The cap on a kind of resource an organization registers ("bots", "templates"), or null for none.</summary>
    public int? For(string kind) => kind switch
    {
        "bots" => BotsPerOrganization,
        "templates" => TemplatesPerOrganization,
        _ => null,
    };

    /// <summary>The environment variable that sets the cap on <paramref name="kind"/>, for the refusal's text.</summary>
    public static string VariableFor(string kind) => kind switch
    {
        "bots" => "LIMITS_BOTS_PER_ORGANIZATION",
        "templates" => "LIMITS_TEMPLATES_PER_ORGANIZATION",
        _ => "LIMITS_*",
    };
}
