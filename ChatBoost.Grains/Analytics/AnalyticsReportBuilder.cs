using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// Turns rollup slices into the endpoints' reports (pure). Bots' slices of one range have the same buckets; contacts
/// belong to one bot, so distinct counts add up across bots. Every total is the sum of the buckets it shows.
/// </summary>
public static class AnalyticsReportBuilder
{
    public const int TopMessageTypes = 10;

    /// <summary>100 × part / whole with two decimals; null when nothing was counted in the whole.</summary>
    public static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round(100.0 * part / whole, 2);

    /// <summary>The change from <paramref name="previous"/> in percent of it; null when the previous period counted nothing.</summary>
    public static double? Growth(long current, long previous) => previous == 0 ? null : Math.Round(100.0 * (current - previous) / previous, 2);

    /// <summary>The change of a rate in percentage points; null when either is undefined.</summary>
    public static double? Change(double? current, double? previous) =>
        current is { } c && previous is { } p ? Math.Round(c - p, 2) : null;

    /// <summary>The mean response time in seconds with two decimals; null without responses.</summary>
    public static double? AverageSeconds(long totalMillis, long responses) =>
        responses == 0 ? null : Math.Round(totalMillis / 1000.0 / responses, 2);

    public static StatsSummary Summary(DateTimeOffset start, DateTimeOffset end, StatsValues v, long activeContacts)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new StatsSummary(
            start, end, v.MessagesTotal, v.MessagesInbound, v.MessagesOutbound, activeContacts, v.NewContacts,
            v.Sent, v.Delivered, v.Read, v.Failed, v.InDoubt, Rate(v.Delivered, v.Sent), Rate(v.Read, v.Sent),
            AverageSeconds(v.ResponseMillis, v.Responses), v.Responses, v.FlowsStarted, v.FlowsCompleted, v.FlowsFailed,
            Rate(v.FlowsCompleted, v.FlowsStarted), v.FlowsTriggered);
    }

    /// <summary>The range's total over every bot.</summary>
    public static StatsSummary Total(StatsRange range, IReadOnlyList<BotStatsSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(slices);
        var values = StatsValues.Sum(slices.SelectMany(s => s.Buckets).Select(b => b.Values));
        return Summary(range.Start, range.End, values, slices.Sum(s => s.ActiveContacts));
    }

    /// <summary>One summary per bucket, each summed over every bot.</summary>
    public static IReadOnlyList<StatsSummary> Series(IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> buckets, IReadOnlyList<BotStatsSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(slices);
        var byStart = slices.SelectMany(s => s.Buckets).ToLookup(b => b.Start);
        return buckets
            .Select(b => Summary(b.Start, b.End, StatsValues.Sum(byStart[b.Start].Select(x => x.Values)), byStart[b.Start].Sum(x => x.ActiveContacts)))
            .ToList();
    }

    public static AnalyticsTrendChanges Changes(StatsSummary current, StatsSummary? previous) => previous is null
        ? new AnalyticsTrendChanges(null, null, null)
        : new AnalyticsTrendChanges(
            Growth(current.TotalMessages, previous.TotalMessages),
            Growth(current.ActiveContacts, previous.ActiveContacts),
            Change(current.DeliveryRate, previous.DeliveryRate));

    public static OverviewReport Overview(
        ResolvedPeriod period, long? botId, IReadOnlyList<BotStatsSlice> current, IReadOnlyList<BotStatsSlice>? previous)
    {
        ArgumentNullException.ThrowIfNull(period);
        var total = Total(period.Current, current);
        var before = previous is null ? null : Total(period.Previous, previous);
        var values = StatsValues.Sum(current.SelectMany(s => s.Buckets).Select(b => b.Values));
        var types = MessageTypes(values)
            .OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Take(TopMessageTypes)
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return new OverviewReport(
            period.Name, botId, total.TotalMessages, total.ActiveContacts, total.DeliveryRate, total.AverageResponseTime, types,
            total.FlowCompletionRate, Changes(total, before), period.Current.Start, period.Current.End, period.Current.TimeZone,
            ComputedAt(current));
    }

    public static SeriesReport Series(StatsRange range, TimeZoneInfo zone, long? botId, IReadOnlyList<BotStatsSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(range);
        return new SeriesReport(
            range.Start, range.End, botId, range.Granularity == StatsGranularity.Hourly ? "hourly" : "daily", range.TimeZone,
            Total(range, slices), Series(AnalyticsPeriods.Buckets(range, zone), slices), ComputedAt(slices));
    }

    public static BotPerformanceReport Performance(
        ResolvedPeriod period, TimeZoneInfo zone, long botId, BotStatsSlice current, BotStatsSlice? previous)
    {
        ArgumentNullException.ThrowIfNull(period);
        var total = Total(period.Current, [current]);
        var before = previous is null ? null : Total(period.Previous, [previous]);
        return new BotPerformanceReport(
            botId, period.Name, period.Current.TimeZone, total, before, Changes(total, before),
            Series(AnalyticsPeriods.Buckets(period.Current, zone), [current]), current.ComputedAt);
    }

    public static ActiveContactsReport ActiveContacts(
        ResolvedPeriod period, long? botId, IReadOnlyList<BotStatsSlice> current, IReadOnlyList<BotStatsSlice>? previous)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(current);
        var total = Total(period.Current, current);
        long? before = previous?.Sum(s => s.ActiveContacts);
        return new ActiveContactsReport(
            period.Name, botId, period.Current.TimeZone, total.ActiveContacts, total.NewContacts, current.Sum(s => s.ReturningContacts),
            before, before is { } b ? Growth(total.ActiveContacts, b) : null, period.Current.Start, period.Current.End, ComputedAt(current));
    }

    public static MessageDistributionReport Distribution(ResolvedPeriod period, long? botId, IReadOnlyList<BotStatsSlice> current)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(current);
        var values = StatsValues.Sum(current.SelectMany(s => s.Buckets).Select(b => b.Values));
        var byType = MessageTypes(values);
        var shares = byType.ToDictionary(t => t.Key, t => Rate(t.Value, values.MessagesTotal) ?? 0, StringComparer.Ordinal);
        return new MessageDistributionReport(
            period.Name, botId, period.Current.TimeZone, values.MessagesTotal, byType, shares, Sorted(values.InboundByType),
            Sorted(values.OutboundByType), period.Current.Start, period.Current.End, ComputedAt(current));
    }

    /// <summary>Messages by type, both directions together.</summary>
    public static SortedDictionary<string, long> MessageTypes(StatsValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var types = Sorted(values.InboundByType);
        foreach (var (type, count) in values.OutboundByType)
        {
            types[type] = types.GetValueOrDefault(type) + count;
        }

        return types;
    }

    /// <summary>The oldest aggregation behind the slices (how fresh the answer is at worst).</summary>
    public static DateTimeOffset? ComputedAt(IEnumerable<BotStatsSlice> slices) =>
        slices.Select(s => s.ComputedAt).Where(c => c is not null).Min();

    private static SortedDictionary<string, long> Sorted(IReadOnlyDictionary<string, long> types) =>
        new(types.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal), StringComparer.Ordinal);
}
