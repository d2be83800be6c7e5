namespace ChatBoost.Grains.Notifications;

/// <summary>When a queued notification e-mail is due, whether a row may be taken, and the back-off after a failure. Pure.</summary>
public static class NotificationMailRules
{
    /// <summary>How long a taken batch is leased; the mailer stops sending when less than <see cref="LeaseMargin"/> is left.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>The first retry waits this long; each next one twice as long, up to <see cref="MaxBackOff"/>.</summary>
    public static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxBackOff = TimeSpan.FromHours(1);

    /// <summary>
    /// Immediate mail is due at once; a digest row at the end of the digest period it falls in (periods counted from the
    /// Unix epoch), so every row of one user and period shares one due time and goes out in one mail.
    /// </summary>
    public static DateTimeOffset DueAt(DateTimeOffset now, bool digest, TimeSpan digestPeriod)
    {
        if (!digest)
        {
            return now;
        }

        var period = digestPeriod.Ticks;
        var sinceEpoch = (now - DateTimeOffset.UnixEpoch).Ticks;
        return DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(((sinceEpoch / period) + 1) * period);
    }

    /// <summary>A row the mailer may take: pending, due, and not under a lease that still runs (the rule of the take's SQL).</summary>
    public static bool IsTakeable(string state, DateTimeOffset dueAt, DateTimeOffset? leaseUntil, DateTimeOffset now) =>
        state == NotificationMailStates.Pending && dueAt <= now && (leaseUntil is null || leaseUntil <= now);

    /// <summary>
    /// After failed attempt number <paramref name="attempts"/> (1 = the first): give up when that was the last one, or retry
    /// after 30 s, 60 s, 120 s, … capped at an hour.
    /// </summary>
    public static MailRetry AfterFailure(int attempts, int maxAttempts, DateTimeOffset now)
    {
        if (attempts >= maxAttempts)
        {
            return new MailRetry(GiveUp: true, now);
        }

        var exponent = Math.Min(attempts - 1, 20);
        var wait = TimeSpan.FromTicks(Math.Min(FirstBackOff.Ticks << exponent, MaxBackOff.Ticks));
        return new MailRetry(GiveUp: false, now + wait);
    }
}

/// <summary>What happens to a mail whose attempt failed: given up (state failed), or due again at <see cref="DueAt"/>.</summary>
public readonly record struct MailRetry(bool GiveUp, DateTimeOffset DueAt);

/// <summary>The states of a <c>notification_mails</c> row.</summary>
public static class NotificationMailStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>Nothing to send to: the user is deactivated or gone.</summary>
    public const string Skipped = "skipped";
}
