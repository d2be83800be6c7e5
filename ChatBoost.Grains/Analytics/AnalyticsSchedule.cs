namespace ChatBoost.Grains.Analytics;

/// <summary>
/// When the aggregation runs and over what (pure):
/// <list type="bullet">
/// <item>every minute (<see cref="TickPeriod"/>): the current and the previous UTC hour, so today is at most about a
///   minute behind the raw rows;</item>
/// <item>once per new hour: the 24 hours before it (statuses, replies and outcomes that arrived later);</item>
/// <item>daily at 00:05 UTC (the seed's time): the <see cref="AnalyticsOptions.ReconcileDays"/> whole days before today;</item>
/// <item>daily at 02:00 UTC: the cleanup past the retentions.</item>
/// </list>
/// </summary>
public static class AnalyticsSchedule
{
    public static readonly TimeSpan TickPeriod = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Day = TimeSpan.FromDays(1);
    public static readonly TimeOnly DailyAt = new(0, 5);
    public static readonly TimeOnly CleanupAt = new(2, 0);

    /// <summary>Longer than this since the last tick finished and <c>GET /analytics/health</c> says "degraded".</summary>
    public static readonly TimeSpan HealthyLag = TimeSpan.FromMinutes(3);

    public static (DateTimeOffset From, DateTimeOffset To) TickWindow(DateTimeOffset now)
    {
        var hour = StatsDefinitions.HourOf(now);
        return (hour.AddHours(-1), hour.AddHours(1));
    }

    public static (DateTimeOffset From, DateTimeOffset To) HourlyWindow(DateTimeOffset now)
    {
        var hour = StatsDefinitions.HourOf(now);
        return (hour.AddHours(-24), hour);
    }

    public static (DateTimeOffset From, DateTimeOffset To) DailyWindow(DateTimeOffset now, int reconcileDays)
    {
        var today = AnalyticsOptions.DayStart(now);
        return (today.AddDays(-reconcileDays), today);
    }

    /// <summary>The UTC day of <paramref name="date"/>, [midnight, next midnight).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) DayWindow(DateOnly date)
    {
        var from = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return (from, from.AddDays(1));
    }

    /// <summary>The UTC day of <paramref name="date"/> up to the end of the current hour if it is today (raw rows cannot be later).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) DayWindowUntil(DateOnly date, DateTimeOffset now)
    {
        var (from, to) = DayWindow(date);
        return (from, to <= now ? to : StatsDefinitions.HourOf(now).AddHours(1));
    }

    /// <summary>How long from <paramref name="now"/> until the next <paramref name="at"/> UTC (never zero: a whole day at the instant itself).</summary>
    public static TimeSpan DueIn(DateTimeOffset now, TimeOnly at)
    {
        var next = AnalyticsOptions.DayStart(now) + at.ToTimeSpan();
        if (next <= now)
        {
            next = next.AddDays(1);
        }

        return next - now;
    }
}
