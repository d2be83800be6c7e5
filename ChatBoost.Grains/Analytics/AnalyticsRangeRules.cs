using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// Whether the rollups can answer a range exactly (pure): UTC days need the daily retention; hours and days in another
/// zone are summed from hourly rows, so they need the hourly retention and bucket edges on whole UTC hours.
/// </summary>
public static class AnalyticsRangeRules
{
    public const int MaxDailyBuckets = 400;
    public const int MaxHourlyBuckets = 24 * 31;

    /// <summary>Null when answerable; else the query field to blame and why.</summary>
    public static (string Field, string Detail)? Check(StatsRange range, TimeZoneInfo zone, DateTimeOffset now, AnalyticsOptions options, string rangeField)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(options);
        var buckets = AnalyticsPeriods.Buckets(range, zone).Count;
        if (buckets > (range.Granularity == StatsGranularity.Hourly ? MaxHourlyBuckets : MaxDailyBuckets))
        {
            return ("end_date", $"At most {(range.Granularity == StatsGranularity.Hourly ? MaxHourlyBuckets : MaxDailyBuckets)} buckets per request.");
        }

        if (range.ReadsDailyRollup)
        {
            return range.Start < options.DailyHorizon(now)
                ? (rangeField, $"Daily statistics are kept for {options.DailyRetentionDays} days.")
                : null;
        }

        if (!AnalyticsPeriods.IsHourAligned(range, zone))
        {
            return ("tz", "Days in this time zone do not begin on a whole UTC hour; hourly statistics cannot be summed into them.");
        }

        return range.Start < options.HourlyHorizon(now)
            ? (range.Granularity == StatsGranularity.Hourly || range.TimeZone == StatsRange.Utc ? rangeField : "tz",
                $"Hourly statistics (used for hours and for days outside UTC) are kept for {options.HourlyRetentionDays} days.")
            : null;
    }

    /// <summary>
    /// Whether the funnel's hourly rows (<see cref="AnalyticsOptions.FunnelHorizon"/>) answer a period exactly: its days
    /// must begin on whole UTC hours, and it must start within the funnel's retention. Null when answerable.
    /// </summary>
    public static (string Field, string Detail)? CheckFunnel(StatsRange range, TimeZoneInfo zone, DateTimeOffset now, AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(options);
        if (!AnalyticsPeriods.IsHourAligned(range, zone))
        {
            return ("tz", "Days in this time zone do not begin on a whole UTC hour; the funnel's hourly rows cannot be summed into them.");
        }

        return range.Start < options.FunnelHorizon(now) ? ("period", $"The funnel is kept for {options.DailyRetentionDays} days.") : null;
    }
}
