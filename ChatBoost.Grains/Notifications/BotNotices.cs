using System.Globalization;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Notifications;

/// <summary>The <c>bot_credentials_invalid</c> notice, for the members who may read the bot.</summary>
public static class BotNotices
{
    public static OrganizationNotice CredentialsInvalid(long botId, string botName, long organizationId, string? reason, DateTimeOffset at) =>
        new(
            new NotificationDraft(
                $"bot:{botId}:credentials_invalid:{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
                NotificationTypes.BotCredentialsInvalid,
                "credentials_invalid",
                "Bot credentials invalid",
                $"Meta rejected the WhatsApp access token of bot {botName} ({reason ?? "no reason given"}); sends are stopped until the access token is updated.",
                organizationId,
                botId),
            Permissions.BotsRead);
}
