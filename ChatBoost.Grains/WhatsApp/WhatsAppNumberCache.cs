using System.Collections.Concurrent;
using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>The live bot that owns a WhatsApp phone number id.</summary>
public sealed record WhatsAppBotRef(long BotId, long OrganizationId, bool HasOwnAppSecret);

/// <summary>
/// SILO-INTERNAL, one per silo: resolves <c>metadata.phone_number_id</c> to the live bot owning it (the <c>bots</c>
/// table's partial unique index makes that at most one), cached so the inbound hot path does not query per webhook.
/// A found number is cached for <see cref="FoundTtl"/>, an unknown one for <see cref="UnknownTtl"/> (so a bot created or
/// given a number starts receiving soon). A bot deleted or re-numbered may keep receiving for up to <see cref="FoundTtl"/>.
/// </summary>
public sealed class WhatsAppNumberCache(Database database, TimeProvider time)
{
    public static readonly TimeSpan FoundTtl = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan UnknownTtl = TimeSpan.FromSeconds(5);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (WhatsAppBotRef? Bot, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<WhatsAppBotRef?> FindAsync(string phoneNumberId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(phoneNumberId, out var cached) && cached.Expires > now)
        {
            return cached.Bot;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var bot = await connection.QuerySingleOrDefaultAsync<WhatsAppBotRef>(new CommandDefinition(
            """
            SELECT id AS BotId, organization_id AS OrganizationId, has_whatsapp_app_secret AS HasOwnAppSecret
            FROM bots WHERE whatsapp_phone_number_id = @PhoneNumberId AND deleted_at IS NULL
            """,
            new { PhoneNumberId = phoneNumberId },
            cancellationToken: cancellationToken));
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear(); // bounded: only signed payloads reach here, so this is a safety net, not a hot path
        }

        _cache[phoneNumberId] = (bot, now + (bot is null ? UnknownTtl : FoundTtl));
        return bot;
    }
}
