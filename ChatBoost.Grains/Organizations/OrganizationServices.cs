using Microsoft.Extensions.Configuration;
using ChatBoost.Grains.Flows.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Organizations;

public static class OrganizationServices
{
    /// <summary>
    /// Binds <see cref="OrganizationLimits"/> from the <c>Limits</c> section (a cap below 1 stops the silo at start), and
    /// gives the webhook caller each organization's own allow-list entries.
    /// </summary>
    public static IServiceCollection AddChatBoostOrganizations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IOrganizationWebhookAllowList, OrganizationWebhookAllowList>();
        services.AddOptions<OrganizationLimits>()
            .Bind(configuration.GetSection(OrganizationLimits.Section))
            .Validate(l => l.BotsPerOrganization >= 1 && l.TemplatesPerOrganization >= 1 && l.OrganizationsPerUser >= 1,
                "LIMITS_BOTS_PER_ORGANIZATION, LIMITS_TEMPLATES_PER_ORGANIZATION and LIMITS_ORGANIZATIONS_PER_USER must be at least 1.")
            .ValidateOnStart();
        return services;
    }
}
