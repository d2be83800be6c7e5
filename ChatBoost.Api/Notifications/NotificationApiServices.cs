namespace ChatBoost.Api.Notifications;

/// <summary>The notifications module in the API: the socket limits and this process's user streams.</summary>
public static class NotificationApiServices
{
    public static IServiceCollection AddChatBoostNotificationStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(NotificationSocketOptions.Load(configuration));
        services.AddSingleton<NotificationStreams>();
        return services;
    }
}
