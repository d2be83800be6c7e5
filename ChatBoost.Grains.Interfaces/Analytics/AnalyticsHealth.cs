namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>One kind of aggregation's last run (<c>tick</c>, <c>hourly</c>, <c>daily</c>, <c>cleanup</c>, <c>manual</c>).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AggregationRunView")]
public sealed record AggregationRunView(
    [property: Id(0)] string Kind,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset? FinishedAt,
    [property: Id(3)] DateTimeOffset? RangeStart,
    [property: Id(4)] DateTimeOffset? RangeEnd,
    [property: Id(5)] long RowsChanged,
    [property: Id(6)] long DurationMs,
    [property: Id(7)] string? Error);

/// <summary>Rollup rows of the caller's bots.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AnalyticsRowCounts")]
public sealed record AnalyticsRowCounts(
    [property: Id(0)] long HourlyMessageStats,
    [property: Id(1)] long DailyMessageStats,
    [property: Id(2)] long ContactActivityHourly);

/// <summary>The cache of one bot's answers.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AnalyticsCacheState")]
public sealed record AnalyticsCacheState(
    [property: Id(0)] int Entries,
    [property: Id(1)] long Hits,
    [property: Id(2)] long Misses,
    [property: Id(3)] DateTimeOffset? InvalidatedAt);

/// <summary>
/// <c>GET /analytics/health</c>: the aggregation's lag (seconds since the last minute tick finished), its last runs, the
/// caller's rollup rows and the caches of the caller's bots (summed).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AnalyticsHealthReport")]
public sealed record AnalyticsHealthReport(
    [property: Id(0)] string Status,
    [property: Id(1)] DateTimeOffset CheckedAt,
    [property: Id(2)] double? AggregationLagSeconds,
    [property: Id(3)] IReadOnlyList<AggregationRunView> LastRuns,
    [property: Id(4)] AnalyticsRowCounts RowCounts,
    [property: Id(5)] DateTimeOffset? LastRowComputedAt,
    [property: Id(6)] int HourlyRetentionDays,
    [property: Id(7)] int DailyRetentionDays)
{
    [Id(8)]
    public AnalyticsCacheState? Cache { get; init; }
}
