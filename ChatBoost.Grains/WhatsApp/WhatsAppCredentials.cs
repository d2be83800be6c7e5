using ChatBoost.Grains.Bots;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// What one send needs to authenticate: the business phone number id, its access token and, optionally, the
/// bot's Graph API version (else <see cref="WhatsAppClientOptions.ApiVersion"/>). Never log it: <see cref="ToString"/>
/// hides the token.
/// </summary>
public sealed record WhatsAppCredentials(string PhoneNumberId, string AccessToken, string? ApiVersion = null)
{
    /// <summary>The bot's effective credentials, or null when it has no phone number id or access token.</summary>
    public static WhatsAppCredentials? From(BotCredentials bot) =>
        bot.PhoneNumberId is { Length: > 0 } phoneNumberId && bot.AccessToken is { Length: > 0 } token
            ? new WhatsAppCredentials(phoneNumberId, token, string.IsNullOrWhiteSpace(bot.ApiVersion) ? null : bot.ApiVersion)
            : null;

    public override string ToString() =>
        $"WhatsAppCredentials {{ PhoneNumberId = {PhoneNumberId}, ApiVersion = {ApiVersion}, AccessToken = *** }}";
}
