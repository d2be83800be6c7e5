using System.Security.Cryptography;
using System.Text;
using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.WhatsApp;
using Dapper;
using Orleans.Concurrency;

namespace ChatBoost.Grains.WhatsApp;

/// <inheritdoc cref="IWebhookSecretQueryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class WebhookSecretQueryGrain(Database database, WhatsAppNumberCache numbers) : Grain, IWebhookSecretQueryGrain
{
    public async Task<bool> IsBotWebhookVerifyTokenAsync(long botId, string verifyToken)
    {
        if (botId <= 0 || string.IsNullOrEmpty(verifyToken))
        {
            return false;
        }

        // The look-up is by the candidate's SHA-256: timing can at most tell whether a digest exists, never anything
        // about a stored token's characters (a digest reveals nothing of its preimage).
        var digest = Sha256Hex(verifyToken);
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM bots
                           WHERE id = @BotId AND whatsapp_webhook_verify_token_sha256 = @Digest AND deleted_at IS NULL)
            """,
            new { BotId = botId, Digest = digest });
    }

    public async Task<string?> GetWebhookSecretAsync(string phoneNumberId)
    {
        if (string.IsNullOrEmpty(phoneNumberId) || phoneNumberId.Length > 64)
        {
            return null;
        }

        var bot = await numbers.FindAsync(phoneNumberId);
        if (bot is not { HasOwnAppSecret: true })
        {
            return null;
        }

        var credentials = await GrainFactory.GetGrain<IBotCredentialsGrain>(bot.BotId).GetEffectiveCredentialsAsync();
        return credentials?.AppSecret;
    }

    /// <summary>The lowercase hex SHA-256 of a verify token, as stored in <c>bots.whatsapp_webhook_verify_token_sha256</c>.</summary>
    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
