namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>How a range is cut into buckets: UTC hours, or days in the range's time zone.</summary>
public enum StatsGranularity
{
    Hourly = 0,
    Daily = 1,
}

/// <summary>
/// A range of whole buckets, [<see cref="Start"/>, <see cref="End"/>): hours, or days that begin at midnight in
/// <see cref="TimeZone"/> (an IANA id; a day is 23 or 25 hours long on a DST change).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.StatsRange")]
public sealed record StatsRange(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] StatsGranularity Granularity,
    [property: Id(3)] string TimeZone)
{
    public const string Utc = "UTC";

    /// <summary>Daily buckets in UTC are read from the daily rollup; any other bucket is summed from the hourly rollup.</summary>
    public bool ReadsDailyRollup => Granularity == StatsGranularity.Daily && TimeZone == Utc;
}
