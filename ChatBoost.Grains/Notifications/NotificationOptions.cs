namespace ChatBoost.Grains.Notifications;

/// <summary>The silo's notification settings (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Notifications older than this are never read and are deleted (<c>NOTIFICATION_RETENTION_DAYS</c>, 90).</summary>
    public int RetentionDays { get; set; } = 90;

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);
}
