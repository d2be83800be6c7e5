namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// What the webhook endpoints need to know about bots before anything is verified: a stateless worker on every silo
/// reading the <c>bots</c> projection table (live bots only). Call it with key 0.
/// </summary>
[Alias("chatboost.whatsapp.IWebhookSecretQueryGrain")]
public interface IWebhookSecretQueryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// True when the live bot <paramref name="botId"/> has this webhook verify token of its own (another bot's token, or
    /// the environment's, never passes). The grain compares SHA-256 digests (the table stores only
    /// <c>whatsapp_webhook_verify_token_sha256</c>), so the stored token is never read back or compared in plain text.
    /// </summary>
    [Alias("IsBotWebhookVerifyToken")]
    Task<bool> IsBotWebhookVerifyTokenAsync(long botId, string verifyToken);

    /// <summary>
    /// The decrypted app secret of the live bot that owns <paramref name="phoneNumberId"/>, or null (no such bot, or
    /// the bot has no app secret of its own: the environment default is the API's own first check).
    /// </summary>
    [Alias("GetWebhookSecret")]
    Task<string?> GetWebhookSecretAsync(string phoneNumberId);
}
