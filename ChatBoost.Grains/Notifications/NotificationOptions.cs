namespace ChatBoost.Grains.Notifications;

/// <summary>The silo's notification settings (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Notifications older than this are never read and are deleted (<c>NOTIFICATION_RETENTION_DAYS</c>, 90).</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>The digest period: a user with <c>digest</c> on gets at most one mail per period (<c>NOTIFICATION_DIGEST_MINUTES</c>, 60).</summary>
    public int DigestMinutes { get; set; } = 60;

    /// <summary>Attempts at one mail before it is given up as failed (<c>NOTIFICATION_MAIL_MAX_ATTEMPTS</c>, 6).</summary>
    public int MailMaxAttempts { get; set; } = 6;

    /// <summary>How often the mailer looks for due mail (<c>NOTIFICATION_MAIL_POLL_SECONDS</c>, 10; 0: only when its reminder fires, every minute).</summary>
    public int MailPollSeconds { get; set; } = 10;

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

    public TimeSpan DigestPeriod => TimeSpan.FromMinutes(DigestMinutes);
}
