using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// The WebSocket stream's limits (section <c>Notifications</c>): sockets per user (<c>NOTIFICATION_MAX_SOCKETS_PER_USER</c>,
/// 10), messages queued per socket before a slow client is disconnected (<c>NOTIFICATION_SOCKET_QUEUE</c>, 256), and how
/// often the per-user observer renews its subscription and checks the user (<c>NOTIFICATION_RESUBSCRIBE_SECONDS</c>, 30;
/// at most a quarter of the inbox's observer expiry).
/// </summary>
public sealed class NotificationSocketOptions
{
    public int MaxSocketsPerUser { get; init; } = 10;

    public int SocketQueue { get; init; } = 256;

    public int ResubscribeSeconds { get; init; } = 30;

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan Resubscribe => TimeSpan.FromSeconds(ResubscribeSeconds);

    public static NotificationSocketOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection("Notifications");
        var options = new NotificationSocketOptions
        {
            MaxSocketsPerUser = section.GetValue("MaxSocketsPerUser", 10),
            SocketQueue = section.GetValue("SocketQueue", 256),
            ResubscribeSeconds = section.GetValue("ResubscribeSeconds", 30),
        };
        if (options.MaxSocketsPerUser is < 1 or > 100)
        {
            throw new ConfigurationException("NOTIFICATION_MAX_SOCKETS_PER_USER must be from 1 to 100.");
        }

        if (options.SocketQueue is < 8 or > 10_000)
        {
            throw new ConfigurationException("NOTIFICATION_SOCKET_QUEUE must be from 8 to 10000.");
        }

        if (options.ResubscribeSeconds < 1 || options.Resubscribe > INotificationInboxGrain.ObserverExpiry / 4)
        {
            throw new ConfigurationException(
                $"NOTIFICATION_RESUBSCRIBE_SECONDS must be from 1 to {(int)(INotificationInboxGrain.ObserverExpiry / 4).TotalSeconds}.");
        }

        return options;
    }
}
