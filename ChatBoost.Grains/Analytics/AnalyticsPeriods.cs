using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>A period resolved at a moment: its range and the range of the same length just before it.</summary>
public sealed record ResolvedPeriod(string Name, StatsRange Current, StatsRange Previous);

/// <summary>
/// Periods and buckets in a time zone (pure). Every range is made of whole buckets and half-open: a message at
/// 23:59:59.999 is in its day, one at 00:00 in the next.
/// <list type="bullet">
/// <item><c>today</c>: the current day in the zone, in hours; before it, the previous day;</item>
/// <item><c>24hours</c>: the current UTC hour and the 23 before it; before it, the 24 hours before those;</item>
/// <item><c>7days</c>, <c>30days</c>, <c>90days</c>: today and the 6, 29, 89 days before it, in days; before it, as many
///   days again.</item>
/// </list>
/// Days begin at local midnight (the first existing instant of the day when a DST change skips midnight), so a DST day
/// has 23 or 25 hours.
/// </summary>
public static class AnalyticsPeriods
{
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>The zone for an IANA id ("UTC" included), or null when the id is unknown.</summary>
    public static TimeZoneInfo? FindZone(string id)
    {
        if (id.Length is 0 or > 64)
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }

    public static ResolvedPeriod Resolve(string period, DateTimeOffset now, TimeZoneInfo zone, string zoneId)
    {
        ArgumentNullException.ThrowIfNull(zone);
        switch (period)
        {
            case AnalyticsPeriodNames.Today:
                {
                    var today = LocalDate(now, zone);
                    var start = StartOfDay(today, zone);
                    var end = StartOfDay(today.AddDays(1), zone);
                    var previous = StartOfDay(today.AddDays(-1), zone);
                    return new ResolvedPeriod(period,
                        new StatsRange(start, end, StatsGranularity.Hourly, zoneId), new StatsRange(previous, start, StatsGranularity.Hourly, zoneId));
                }

            case AnalyticsPeriodNames.Last24Hours:
                {
                    var end = StatsDefinitions.HourOf(now) + Hour;
                    var start = end - TimeSpan.FromHours(24);
                    return new ResolvedPeriod(period,
                        new StatsRange(start, end, StatsGranularity.Hourly, zoneId),
                        new StatsRange(start - TimeSpan.FromHours(24), start, StatsGranularity.Hourly, zoneId));
                }

            default:
                {
                    var days = DaysOf(period) ?? throw new ArgumentException($"Unknown period '{period}'.", nameof(period));
                    var today = LocalDate(now, zone);
                    var start = StartOfDay(today.AddDays(1 - days), zone);
                    var end = StartOfDay(today.AddDays(1), zone);
                    var previous = StartOfDay(today.AddDays(1 - (2 * days)), zone);
                    return new ResolvedPeriod(period,
                        new StatsRange(start, end, StatsGranularity.Daily, zoneId), new StatsRange(previous, start, StatsGranularity.Daily, zoneId));
                }
        }
    }

    /// <summary>The whole buckets that contain <paramref name="first"/> through <paramref name="last"/> (both included).</summary>
    public static StatsRange Covering(DateTimeOffset first, DateTimeOffset last, StatsGranularity granularity, TimeZoneInfo zone, string zoneId)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return granularity == StatsGranularity.Hourly
            ? new StatsRange(StatsDefinitions.HourOf(first), StatsDefinitions.HourOf(last) + Hour, granularity, zoneId)
            : new StatsRange(StartOfDay(LocalDate(first, zone), zone), StartOfDay(LocalDate(last, zone).AddDays(1), zone), granularity, zoneId);
    }

    /// <summary>The buckets of <paramref name="range"/>, oldest first: [start, end) pairs.</summary>
    public static IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> Buckets(StatsRange range, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(zone);
        var buckets = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var start = range.Start; start < range.End;)
        {
            var end = range.Granularity == StatsGranularity.Hourly ? start + Hour : StartOfDay(LocalDate(start, zone).AddDays(1), zone);
            buckets.Add((start, end));
            start = end;
        }

        return buckets;
    }

    /// <summary>
    /// True when every bucket boundary is a whole UTC hour, so the buckets can be summed from hourly rows (false for a zone
    /// whose offset has minutes, such as Asia/Kolkata).
    /// </summary>
    public static bool IsHourAligned(StatsRange range, TimeZoneInfo zone) =>
        Buckets(range, zone).All(b => IsWholeHour(b.Start) && IsWholeHour(b.End));

    /// <summary>The date of <paramref name="at"/> in <paramref name="zone"/>.</summary>
    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>When <paramref name="date"/> begins in <paramref name="zone"/>: its local midnight, or the first instant after a skipped one.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        // An ambiguous midnight (clocks moved back over it) begins at its first occurrence: the larger offset.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static int? DaysOf(string period) => period switch
    {
        AnalyticsPeriodNames.Last7Days => 7,
        AnalyticsPeriodNames.Last30Days => 30,
        AnalyticsPeriodNames.Last90Days => 90,
        _ => null,
    };

    private static bool IsWholeHour(DateTimeOffset at) => at.ToUniversalTime().Ticks % TimeSpan.TicksPerHour == 0;
}
