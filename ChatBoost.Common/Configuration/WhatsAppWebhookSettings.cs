using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// The API's webhook settings: the environment defaults <c>WHATSAPP_APP_SECRET</c> (verifies <c>X-Hub-Signature-256</c>)
/// and <c>WHATSAPP_WEBHOOK_VERIFY_TOKEN</c> (answers Meta's subscription check). Bots may carry their own of each.
/// Loaded by the API only: the silo does not verify webhooks, so it starts without them.
/// </summary>
public sealed record WhatsAppWebhookSettings(string? AppSecret, string? VerifyToken)
{
    public const string Section = "WhatsApp";

    /// <summary>In production an app secret is required: without one, only bots with their own could be verified,
    /// and a misconfigured deployment would silently answer 401 to Meta. Refuses with <see cref="ConfigurationException"/>.</summary>
    public static WhatsAppWebhookSettings Load(IConfiguration configuration, bool isProduction)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var appSecret = Blank(section["AppSecret"]);
        var verifyToken = Blank(section["WebhookVerifyToken"]);
        if (isProduction && appSecret is null)
        {
            throw new ConfigurationException(
                "ChatBoost cannot start:" + Environment.NewLine
                + "- WHATSAPP_APP_SECRET is not set: in production every WhatsApp webhook must be verifiable (set the Meta app secret that signs them).");
        }

        return new WhatsAppWebhookSettings(appSecret, verifyToken);
    }

    public override string ToString() => $"WhatsAppWebhookSettings {{ AppSecret = {(AppSecret is null ? "unset" : "***")}, VerifyToken = {(VerifyToken is null ? "unset" : "***")} }}";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
