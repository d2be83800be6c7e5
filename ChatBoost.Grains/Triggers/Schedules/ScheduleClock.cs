namespace ChatBoost.Grains.Triggers.Schedules;

/// <summary>What a schedule check decided: the occurrence to run now (if any), how many were missed beyond the grace, and
/// when to look next.</summary>
public sealed record ScheduleTick(DateTimeOffset? Fire, int MissedBeyondGrace, DateTimeOffset? NextDue);

/// <summary>
/// The catch-up rule, pure. A check at <c>now</c> runs at most one occurrence: the latest one that is due (after the last
/// one run) and no older than the grace. Older ones — the cluster was down, the trigger's reminder late — are skipped and
/// counted, never run one per missed tick. So a trigger that missed three daily runs during a four-day outage runs once
/// on restart if its last occurrence is within the grace, else not until the next one.
/// </summary>
public static class ScheduleClock
{
    /// <summary>Past this many occurrences a check stops counting the missed ones (a minutely cron down for a month).</summary>
    public const int MaxCounted = 10_000;

    /// <param name="schedule">The trigger's schedule.</param>
    /// <param name="since">The last occurrence run, or the moment the trigger became active (nothing before it is due).</param>
    /// <param name="now">The check's time.</param>
    /// <param name="grace">How old an occurrence may be and still run.</param>
    public static ScheduleTick Check(TriggerSchedule schedule, DateTimeOffset since, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var windowStart = now - grace;
        var missed = 0;
        var cursor = since;
        while (cursor < windowStart && missed < MaxCounted && schedule.NextAfter(cursor) is { } old && old < windowStart && old <= now)
        {
            missed++;
            cursor = old;
        }

        if (cursor < windowStart)
        {
            cursor = windowStart.AddTicks(-1); // an occurrence exactly at the window's start is still within the grace
        }

        DateTimeOffset? latest = null;
        for (var i = 0; i < MaxCounted && schedule.NextAfter(cursor) is { } occurrence && occurrence <= now; i++)
        {
            if (latest is not null)
            {
                missed++;
            }

            latest = occurrence;
            cursor = occurrence;
        }

        return new ScheduleTick(latest, missed, schedule.NextAfter(now));
    }
}
