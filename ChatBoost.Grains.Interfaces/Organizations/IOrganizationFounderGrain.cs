namespace ChatBoost.Grains.Interfaces.Organizations;

/// <summary>
/// One user as the creator of organizations, keyed by the user's id. It exists to serialise that user's creations, so
/// the cap on how many organizations a user may create holds however many requests arrive at once.
/// </summary>
[Alias("chatboost.organizations.IOrganizationFounderGrain")]
public interface IOrganizationFounderGrain : IGrainWithIntegerKey
{
    /// <summary>Creates an organization owned by this user, or refuses (409) when the user has reached the cap.</summary>
    [Alias("Create")]
    Task<CommandResult<OrganizationView>> CreateAsync(string name, string? description);
}
