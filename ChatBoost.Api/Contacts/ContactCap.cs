using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Contacts;

namespace ChatBoost.Api.Contacts;

/// <summary>
/// The cap on contacts a tenant creates through the API per bot (<c>LIMITS_CONTACTS_PER_BOT</c>, default 100,000).
/// Contacts who write to the bot on WhatsApp are never refused (they are the tenant's customers). The count is read
/// before the create, so creations racing at the cap may pass it by their number: a brake on filling the database,
/// not an exact quota.
/// </summary>
public static class ContactCap
{
    public const string Key = "Limits:ContactsPerBot";
    public const int Default = 100_000;

    public static async Task<IResult?> RefusalAsync(IClusterClient cluster, IConfiguration configuration, long organizationId, long botId)
    {
        var cap = configuration.GetValue(Key, Default);
        var page = await cluster.GetGrain<IContactQueryGrain>(0).ListAsync([organizationId], botId, 1, 0);
        return page.Total < cap
            ? null
            : Problems.Conflict($"This bot has {page.Total} contacts, the most allowed (LIMITS_CONTACTS_PER_BOT = {cap}).");
    }
}
