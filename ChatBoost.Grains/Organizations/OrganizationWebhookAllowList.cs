using ChatBoost.Grains.Flows.Http;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Organizations;

/// <summary>An organization's allow-list entries, found through the bot whose flow calls a webhook.</summary>
public sealed class OrganizationWebhookAllowList(IGrainFactory grains) : IOrganizationWebhookAllowList
{
    public async Task<IReadOnlyList<string>> EntriesForBotAsync(long botId) =>
        await grains.GetGrain<IBotGrain>(botId).GetOrganizationIdAsync() is { } organizationId
            ? await grains.GetGrain<IOrganizationGrain>(organizationId).GetWebhookAllowListAsync()
            : [];
}
