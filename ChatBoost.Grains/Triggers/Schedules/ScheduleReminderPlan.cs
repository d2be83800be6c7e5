namespace ChatBoost.Grains.Triggers.Schedules;

/// <summary>
/// When a schedule trigger's reminder should tick next, pure. The reminder is due at the next occurrence, but never
/// registered further ahead than <c>maxAhead</c> (<c>TRIGGER_SCHEDULE_UPDATE_INTERVAL</c>): a tick at that cap fires nothing
/// and recomputes the next occurrence, so a time-zone rule update or a wall-clock correction on the silo is picked up
/// within it, and no due time exceeds what a reminder can hold. Never sooner than <see cref="MinDue"/>, so a reminder that
/// ticked a little early cannot spin.
/// </summary>
public static class ScheduleReminderPlan
{
    public static readonly TimeSpan MinDue = TimeSpan.FromSeconds(1);

    /// <returns>How long until the next tick; null when there is no next occurrence (the reminder is removed).</returns>
    public static TimeSpan? DueIn(DateTimeOffset? next, DateTimeOffset now, TimeSpan maxAhead)
    {
        if (next is not { } due)
        {
            return null;
        }

        var wait = due - now;
        if (wait > maxAhead)
        {
            wait = maxAhead;
        }

        return wait < MinDue ? MinDue : wait;
    }

    /// <summary>A run is a catch-up when it starts later than the check interval after its occurrence (the reminder's
    /// tick was missed: the cluster was down).</summary>
    public static bool IsCatchUp(DateTimeOffset occurrence, DateTimeOffset now, TimeSpan checkInterval) => now - occurrence > checkInterval;
}
