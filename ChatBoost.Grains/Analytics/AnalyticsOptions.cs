namespace ChatBoost.Grains.Analytics;

/// <summary>
/// Analytics settings (section <c>Analytics</c>; environment <c>ANALYTICS_HOURLY_RETENTION_DAYS</c>,
/// <c>ANALYTICS_DAILY_RETENTION_DAYS</c>, <c>ANALYTICS_RECONCILE_DAYS</c>, <c>ANALYTICS_ENABLED</c>).
/// </summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>
    /// False: the aggregation does not run on schedule (its reminders are removed at start), so the endpoints answer from
    /// the rollups as they were. For measuring ingest without analytics; <c>aggregate-now</c> still works.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Days of hourly rows kept (today included): 7 days and today by default, so <c>7days</c> works in any zone.</summary>
    public int HourlyRetentionDays { get; set; } = 8;

    /// <summary>Days of daily rows and contact activity kept, today included (the seed's 90).</summary>
    public int DailyRetentionDays { get; set; } = 90;

    /// <summary>Whole UTC days before today that the 00:05 run recomputes from raw rows (late statuses and outcomes).</summary>
    public int ReconcileDays { get; set; } = 2;

    public IEnumerable<string> Problems()
    {
        if (HourlyRetentionDays is < 2 or > 400)
        {
            yield return "ANALYTICS_HOURLY_RETENTION_DAYS must be from 2 to 400.";
        }

        if (DailyRetentionDays is < 2 or > 3660 || DailyRetentionDays < HourlyRetentionDays)
        {
            yield return "ANALYTICS_DAILY_RETENTION_DAYS must be from 2 to 3660 and at least ANALYTICS_HOURLY_RETENTION_DAYS.";
        }

        if (ReconcileDays < 1 || ReconcileDays >= HourlyRetentionDays)
        {
            yield return "ANALYTICS_RECONCILE_DAYS must be at least 1 and below ANALYTICS_HOURLY_RETENTION_DAYS.";
        }
    }

    /// <summary>The first hour the hourly rollup keeps at <paramref name="now"/>.</summary>
    public DateTimeOffset HourlyHorizon(DateTimeOffset now) => DayStart(now).AddDays(1 - HourlyRetentionDays);

    /// <summary>The first UTC day the daily rollup and the contact activity keep at <paramref name="now"/>.</summary>
    public DateTimeOffset DailyHorizon(DateTimeOffset now) => DayStart(now).AddDays(1 - DailyRetentionDays);

    /// <summary>
    /// The first hour the per-node funnel keeps at <paramref name="now"/>: the daily retention and one day more, so that
    /// every period of that length in any zone (at most 14 hours from UTC) is whole.
    /// </summary>
    public DateTimeOffset FunnelHorizon(DateTimeOffset now) => DailyHorizon(now).AddDays(-1);

    public static DateTimeOffset DayStart(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }
}
