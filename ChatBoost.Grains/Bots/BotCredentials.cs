namespace ChatBoost.Grains.Bots;

/// <summary>
/// SILO-INTERNAL. The credentials the WhatsApp client uses for one bot, decrypted, each field the bot's own or else
/// the <c>WHATSAPP_*</c> environment default. Defined in ChatBoost.Grains, which the API does not reference, so the
/// API can neither call <see cref="IBotCredentialsGrain"/> nor serialize this type. Never log it: its
/// <see cref="ToString"/> hides the secrets.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.bots.BotCredentials")]
public sealed record BotCredentials(
    [property: Id(0)] long BotId,
    [property: Id(1)] bool IsWhatsappEnabled,
    [property: Id(2)] string? PhoneNumberId,
    [property: Id(3)] string? BusinessAccountId,
    [property: Id(4)] string? AccessToken,
    [property: Id(5)] string? AppSecret,
    [property: Id(6)] string? WebhookVerifyToken,
    [property: Id(7)] string ApiVersion,
    [property: Id(8)] bool UsesOwnAccessToken,
    [property: Id(9)] long OrganizationId = 0,
    [property: Id(10)] bool CredentialsInvalid = false,
    [property: Id(11)] string? CredentialsInvalidReason = null)
{
    public override string ToString() =>
        $"BotCredentials {{ BotId = {BotId}, PhoneNumberId = {PhoneNumberId}, BusinessAccountId = {BusinessAccountId}, ApiVersion = {ApiVersion}, UsesOwnAccessToken = {UsesOwnAccessToken}, secrets = *** }}";
}

/// <summary>
/// SILO-INTERNAL grain interface of the bot grain (same grain, same key as <see cref="Interfaces.Bots.IBotGrain"/>),
/// for the later WhatsApp client and webhook verification. It lives in ChatBoost.Grains so that API code cannot
/// reach it: the API only references ChatBoost.Grains.Interfaces.
/// </summary>
[Alias("chatboost.bots.IBotCredentialsGrain")]
public interface IBotCredentialsGrain : IGrainWithIntegerKey
{
    /// <summary>The decrypted credentials with per-field fallback to the environment defaults; null for a missing or deleted bot.</summary>
    [Alias("GetEffectiveCredentials")]
    Task<BotCredentials?> GetEffectiveCredentialsAsync();

    /// <summary>
    /// Meta rejected the bot's access token (code 190 and kin): mark the credentials invalid so every further send fails
    /// fast, until the access token is updated (<c>PUT /bots/{id}</c> with <c>whatsapp_access_token</c>). Idempotent;
    /// <paramref name="reason"/> is Meta's code and message, never a secret.
    /// </summary>
    [Alias("MarkCredentialsInvalid")]
    Task MarkCredentialsInvalidAsync(string reason);
}

/// <summary>The <c>WHATSAPP_*</c> environment defaults (configuration section <c>WhatsApp</c>).</summary>
public sealed class WhatsAppDefaults
{
    public const string Section = "WhatsApp";
    public const string DefaultApiVersion = "v22.0";

    public string? AccessToken { get; set; }

    public string? PhoneNumberId { get; set; }

    public string? BusinessAccountId { get; set; }

    public string? WebhookVerifyToken { get; set; }

    public string? AppSecret { get; set; }

    public string? ApiVersion { get; set; }
}
