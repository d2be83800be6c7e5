using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Grains.Notifications;

/// <summary>What an inbox keeps in Orleans storage: the user's preferences (null: the defaults). The rows are the rest.</summary>
[GenerateSerializer, Alias("chatboost.notifications.NotificationInboxState")]
public sealed class NotificationInboxState
{
    [Id(0)] public NotificationPreferences? Preferences { get; set; }
}
