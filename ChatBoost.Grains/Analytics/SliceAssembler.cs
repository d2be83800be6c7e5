using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>A stored rollup row: the bucket it starts (a UTC hour or a UTC day) and its figures.</summary>
public sealed record RollupRow(DateTimeOffset Start, StatsValues Values, DateTimeOffset ComputedAt);

/// <summary>The distinct-contact figures of a range: per bucket (by its start), over the whole range, and returning ones.</summary>
public sealed record ActivityCounts(IReadOnlyDictionary<DateTimeOffset, long> ByBucket, long Active, long Returning);

/// <summary>
/// Builds a bot's slice of a range from its rollup rows (pure): every row goes to the bucket that contains its start
/// (an hour of the hourly rollup into its hour or its local day; a UTC day of the daily rollup into itself), and every
/// bucket of the range is present, empty ones as zero.
/// </summary>
public static class SliceAssembler
{
    public static BotStatsSlice Assemble(
        long botId, StatsRange range, TimeZoneInfo zone, IEnumerable<RollupRow> rows, ActivityCounts activity)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(activity);
        var buckets = AnalyticsPeriods.Buckets(range, zone);
        var starts = buckets.Select(b => b.Start).ToArray();
        var sums = new StatsValues[buckets.Count];
        Array.Fill(sums, StatsValues.Zero);
        DateTimeOffset? computedAt = null;
        foreach (var row in rows)
        {
            var index = IndexOf(starts, row.Start);
            if (index < 0 || row.Start >= range.End)
            {
                continue;
            }

            sums[index] = sums[index].Plus(row.Values);
            computedAt = computedAt is { } c && c < row.ComputedAt ? c : row.ComputedAt;
        }

        var result = buckets
            .Select((b, i) => new StatsBucket(b.Start, b.End, sums[i], activity.ByBucket.GetValueOrDefault(b.Start)))
            .ToList();
        return new BotStatsSlice(botId, result, activity.Active, activity.Returning, computedAt);
    }

    /// <summary>
    /// The definition of the distinct counts over activity rows, which the query's SQL computes the same way: active in a
    /// bucket or range = distinct contacts with an activity hour in it; returning = of those, created before the range
    /// (by any of its activity rows: a row written before the contact's row existed has no creation time).
    /// </summary>
    public static ActivityCounts Count(IEnumerable<ContactActivity> activity, StatsRange range, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(range);
        var starts = AnalyticsPeriods.Buckets(range, zone).Select(b => b.Start).ToArray();
        var inRange = activity.Where(a => a.Hour >= range.Start && a.Hour < range.End).ToList();
        var byBucket = inRange
            .GroupBy(a => starts[IndexOf(starts, a.Hour)])
            .ToDictionary(g => g.Key, g => (long)g.Select(a => a.ContactWaId).Distinct(StringComparer.Ordinal).Count());
        var contacts = inRange.GroupBy(a => a.ContactWaId, StringComparer.Ordinal).ToList();
        var returning = contacts.Count(g => g.Any(a => a.ContactCreatedAt is { } created && created < range.Start));
        return new ActivityCounts(byBucket, contacts.Count, returning);
    }

    /// <summary>The index of the last bucket starting at or before <paramref name="at"/>; -1 before the first.</summary>
    private static int IndexOf(DateTimeOffset[] starts, DateTimeOffset at)
    {
        var index = Array.BinarySearch(starts, at);
        return index >= 0 ? index : ~index - 1;
    }
}
