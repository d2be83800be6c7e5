namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>
/// What an analytics endpoint asks: the organizations in scope (every bot of them not deleted), or one bot; a seed period
/// or a date range (both naive UTC, bucket-rounded); the bucket size for series; the IANA zone of day boundaries.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AnalyticsQuery")]
public sealed record AnalyticsQuery(
    [property: Id(0)] IReadOnlyList<long> OrganizationIds,
    [property: Id(1)] long? BotId,
    [property: Id(2)] string Period,
    [property: Id(3)] string Tz,
    [property: Id(4)] DateTimeOffset? StartDate = null,
    [property: Id(5)] DateTimeOffset? EndDate = null,
    [property: Id(6)] StatsGranularity Granularity = StatsGranularity.Daily);

/// <summary>
/// The analytics read side (a stateless worker): resolves the period, asks each bot's <see cref="IBotAnalyticsCacheGrain"/>
/// for its slice and combines them with the one set of definitions. Refusals (a zone the rollups cannot serve, a range
/// past the retention) are <see cref="CommandStatus.Invalid"/> with the field.
/// </summary>
[Alias("chatboost.analytics.IAnalyticsQueryGrain")]
public interface IAnalyticsQueryGrain : IGrainWithIntegerKey
{
    [Alias("Overview")]
    Task<CommandResult<OverviewReport>> OverviewAsync(AnalyticsQuery query);

    [Alias("Trends")]
    Task<CommandResult<SeriesReport>> TrendsAsync(AnalyticsQuery query);

    [Alias("DeliveryRates")]
    Task<CommandResult<SeriesReport>> DeliveryRatesAsync(AnalyticsQuery query);

    [Alias("Performance")]
    Task<CommandResult<BotPerformanceReport>> PerformanceAsync(AnalyticsQuery query);

    [Alias("ActiveContacts")]
    Task<CommandResult<ActiveContactsReport>> ActiveContactsAsync(AnalyticsQuery query);

    [Alias("Distribution")]
    Task<CommandResult<MessageDistributionReport>> DistributionAsync(AnalyticsQuery query);

    [Alias("Funnel")]
    Task<CommandResult<FlowFunnelReport>> FunnelAsync(long flowId, int? version, string period, string tz);

    [Alias("Health")]
    Task<AnalyticsHealthReport> HealthAsync(IReadOnlyList<long> organizationIds);

    /// <summary>The bots (not deleted) of the organizations, for aggregate-now.</summary>
    [Alias("BotsOf")]
    Task<IReadOnlyList<long>> BotsOfAsync(IReadOnlyList<long> organizationIds);
}

/// <summary>
/// One bot's cache of rollup slices (key: the bot id), kept for the duration each endpoint asks (the seed's 5, 10 and 15
/// minutes) and emptied when an aggregation changes the bot's rows.
/// </summary>
[Alias("chatboost.analytics.IBotAnalyticsCacheGrain")]
public interface IBotAnalyticsCacheGrain : IGrainWithIntegerKey
{
    [Alias("GetSlice")]
    Task<BotStatsSlice> GetSliceAsync(StatsRange range, TimeSpan keepFor);

    [Alias("Invalidate")]
    Task InvalidateAsync();

    [Alias("GetState")]
    Task<AnalyticsCacheState> GetStateAsync();
}

/// <summary>A flow's funnel counts: the executions that entered a node in the range, and per node what became of the entries.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.FunnelCounts")]
public sealed record FunnelCounts(
    [property: Id(0)] long Executions,
    [property: Id(1)] IReadOnlyList<FunnelNode> Nodes);

/// <summary>One flow's cache of funnels (key: the flow id), each kept 5 minutes (node events are not rolled up).</summary>
[Alias("chatboost.analytics.IFlowFunnelCacheGrain")]
public interface IFlowFunnelCacheGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<FunnelCounts> GetAsync(int? version, DateTimeOffset start, DateTimeOffset end);

    [Alias("Invalidate")]
    Task InvalidateAsync();
}

/// <summary><c>POST /analytics/aggregate-now</c>: the UTC day to recompute, for these bots.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AggregateNowCommand")]
public sealed record AggregateNowCommand(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] IReadOnlyList<long> BotIds,
    [property: Id(2)] bool ForceRecalculate)
{
    /// <summary>
    /// Bots per grain call: one pass over the day's raw rows for all of them, well inside the 10 s call timeout at the
    /// benchmark's size; <see cref="AggregateNow.RunChunkedAsync"/> splits a larger set.
    /// </summary>
    public const int MaxBotsPerCall = 100;
}

/// <summary>What aggregate-now did: the day, the bots aggregated (or skipped as already aggregated), the rows it changed.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AggregateNowResult")]
public sealed record AggregateNowResult(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] bool ForceRecalculate,
    [property: Id(2)] IReadOnlyList<long> AggregatedBots,
    [property: Id(3)] IReadOnlyList<long> SkippedBots,
    [property: Id(4)] long RowsChanged,
    [property: Id(5)] long DurationMs,
    [property: Id(6)] int Chunks);

/// <summary>
/// The cluster's aggregation (one activation, key 0): its reminders run the minute tick, the hourly reconciliation, the
/// 00:05 UTC daily run and the 02:00 UTC cleanup; one call at a time, so runs never overlap.
/// </summary>
[Alias("chatboost.analytics.IAnalyticsAggregationGrain")]
public interface IAnalyticsAggregationGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the reminders exist (every silo start; idempotent).</summary>
    [Alias("Start")]
    Task StartAsync();

    [Alias("AggregateNow")]
    Task<CommandResult<AggregateNowResult>> AggregateNowAsync(AggregateNowCommand command);

    /// <summary>Runs one scheduled kind now (<c>tick</c>, <c>hourly</c>, <c>daily</c>, <c>late</c>, <c>cleanup</c>): tests and operators.</summary>
    [Alias("RunNow")]
    Task<long> RunNowAsync(string kind);
}
