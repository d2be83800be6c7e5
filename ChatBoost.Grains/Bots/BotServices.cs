using ChatBoost.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatBoost.Grains.Bots;

public static class BotServices
{
    /// <summary>
    /// The bot grain's WhatsApp collaborators: <paramref name="policy"/> (WHATSAPP_DEFAULT_CREDENTIALS, loaded and
    /// validated at start by the host) and the Graph API probe that proves a token reaches a phone number id. Needs
    /// <see cref="WhatsApp.WhatsAppClientOptions"/> (registered by <c>AddChatBoostWhatsApp</c>) for the Graph API root.
    /// </summary>
    public static IServiceCollection AddChatBoostBots(this IServiceCollection services, WhatsAppDefaultCredentialsPolicy policy)
    {
        services.AddSingleton(policy);
        services.AddHttpClient<IPhoneNumberProbe, GraphPhoneNumberProbe>(client => client.Timeout = GraphPhoneNumberProbe.Timeout + TimeSpan.FromSeconds(5))
            .RemoveAllLoggers();
        return services;
    }

    /// <summary>For hosts without a Graph API (grain tests register their own probe): the policy only, off unless given.</summary>
    public static IServiceCollection TryAddDefaultCredentialsPolicy(this IServiceCollection services, WhatsAppDefaultCredentialsPolicy? policy = null)
    {
        services.TryAddSingleton(policy ?? WhatsAppDefaultCredentialsPolicy.Off);
        return services;
    }
}
