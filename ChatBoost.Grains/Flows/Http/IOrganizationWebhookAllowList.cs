namespace ChatBoost.Grains.Flows.Http;

/// <summary>
/// The allow-list entries (<see cref="AllowList"/> syntax) an organization has been granted by a platform
/// administrator, found from one of its bots: added to the platform's <c>FLOW_WEBHOOK_ALLOW_LIST</c> for that
/// organization's <c>webhook_action</c> calls only.
/// </summary>
public interface IOrganizationWebhookAllowList
{
    Task<IReadOnlyList<string>> EntriesForBotAsync(long botId);
}
