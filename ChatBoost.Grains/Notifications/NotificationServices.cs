using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Notifications;

/// <summary>The notifications module in the silo (its outlet subscriber is in ContactEventSubscriberRegistration).</summary>
public static class NotificationServices
{
    public static IServiceCollection AddChatBoostNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>()
            .Bind(configuration.GetSection(NotificationOptions.Section))
            .Validate(o => o.RetentionDays is >= 1 and <= 3650, "NOTIFICATION_RETENTION_DAYS must be from 1 to 3650.")
            .ValidateOnStart();
        services.AddSingleton<NotificationInboxStore>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<AnnouncementStore>();
        services.AddSingleton<TeamNotifications>();
        return services;
    }
}
