using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Analytics;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Analytics;

/// <inheritdoc cref="IAnalyticsQueryGrain"/>
/// <remarks>
/// Stateless and reentrant: it resolves the range (<see cref="AnalyticsPeriods"/>), checks the rollups can answer it
/// (<see cref="AnalyticsRangeRules"/>), gathers one slice per bot from the bots' caches in parallel and builds the report
/// (<see cref="AnalyticsReportBuilder"/>). Without a bot, the organizations' bots come from <see cref="OrganizationBots"/>'s
/// cache. A previous period the rollups no longer hold gives null changes, not a guess.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class AnalyticsQueryGrain(
    OrganizationBots organizationBots, AnalyticsRuns runs, IOptions<AnalyticsOptions> options, TimeProvider time) : Grain, IAnalyticsQueryGrain
{
    public Task<CommandResult<OverviewReport>> OverviewAsync(AnalyticsQuery query) =>
        PeriodReportAsync(query, AnalyticsCacheDurations.Overview, (period, _, current, previous) =>
            AnalyticsReportBuilder.Overview(period, query.BotId, current, previous));

    public Task<CommandResult<ActiveContactsReport>> ActiveContactsAsync(AnalyticsQuery query) =>
        PeriodReportAsync(query, AnalyticsCacheDurations.ActiveContacts, (period, _, current, previous) =>
            AnalyticsReportBuilder.ActiveContacts(period, query.BotId, current, previous));

    public Task<CommandResult<MessageDistributionReport>> DistributionAsync(AnalyticsQuery query) =>
        PeriodReportAsync(query, AnalyticsCacheDurations.Distribution, (period, _, current, _) =>
            AnalyticsReportBuilder.Distribution(period, query.BotId, current), withPrevious: false);

    public Task<CommandResult<BotPerformanceReport>> PerformanceAsync(AnalyticsQuery query) =>
        PeriodReportAsync(query, AnalyticsCacheDurations.Performance, (period, zone, current, previous) =>
            AnalyticsReportBuilder.Performance(period, zone, query.BotId!.Value, current.Single(), previous?.Single()));

    public Task<CommandResult<SeriesReport>> TrendsAsync(AnalyticsQuery query) =>
        SeriesAsync(query with { Granularity = StatsGranularity.Daily }, AnalyticsCacheDurations.Trends);

    public Task<CommandResult<SeriesReport>> DeliveryRatesAsync(AnalyticsQuery query) => SeriesAsync(query, AnalyticsCacheDurations.DeliveryRates);

    public async Task<CommandResult<FlowFunnelReport>> FunnelAsync(long flowId, int? version, string period, string tz)
    {
        if (AnalyticsPeriods.FindZone(tz) is not { } zone)
        {
            return CommandResult.Fail<FlowFunnelReport>(CommandStatus.Invalid, "Unknown time zone.", "tz");
        }

        var now = time.GetUtcNow();
        var range = AnalyticsPeriods.Resolve(period, now, zone, tz).Current;
        if (AnalyticsRangeRules.CheckFunnel(range, zone, now, options.Value) is { } refusal)
        {
            return CommandResult.Fail<FlowFunnelReport>(CommandStatus.Invalid, refusal.Detail, refusal.Field);
        }

        var counts = await GrainFactory.GetGrain<IFlowFunnelCacheGrain>(flowId).GetAsync(version, range.Start, range.End);
        return CommandResult.Ok(new FlowFunnelReport(flowId, version, period, tz, range.Start, range.End, counts.Executions, counts.Nodes));
    }

    public async Task<AnalyticsHealthReport> HealthAsync(IReadOnlyList<long> organizationIds)
    {
        var bots = await BotsOfAsync(organizationIds);
        var report = await runs.HealthAsync(bots, CancellationToken.None);
        var caches = await Task.WhenAll(bots.Take(200).Select(b => GrainFactory.GetGrain<IBotAnalyticsCacheGrain>(b).GetStateAsync()));
        return report with
        {
            Cache = new AnalyticsCacheState(
                caches.Sum(c => c.Entries), caches.Sum(c => c.Hits), caches.Sum(c => c.Misses), caches.Select(c => c.InvalidatedAt).Max()),
        };
    }

    public Task<IReadOnlyList<long>> BotsOfAsync(IReadOnlyList<long> organizationIds) => organizationBots.ReadAsync(organizationIds);

    private async Task<CommandResult<T>> PeriodReportAsync<T>(
        AnalyticsQuery query, TimeSpan keepFor,
        Func<ResolvedPeriod, TimeZoneInfo, IReadOnlyList<BotStatsSlice>, IReadOnlyList<BotStatsSlice>?, T> build, bool withPrevious = true)
    {
        if (AnalyticsPeriods.FindZone(query.Tz) is not { } zone)
        {
            return CommandResult.Fail<T>(CommandStatus.Invalid, "Unknown time zone.", "tz");
        }

        var now = time.GetUtcNow();
        var period = AnalyticsPeriods.Resolve(query.Period, now, zone, query.Tz);
        if (AnalyticsRangeRules.Check(period.Current, zone, now, options.Value, "period") is { } refusal)
        {
            return CommandResult.Fail<T>(CommandStatus.Invalid, refusal.Detail, refusal.Field);
        }

        var bots = await BotsAsync(query);
        var current = await SlicesAsync(bots, period.Current, keepFor);
        var previous = withPrevious && AnalyticsRangeRules.Check(period.Previous, zone, now, options.Value, "period") is null
            ? await SlicesAsync(bots, period.Previous, keepFor)
            : null;
        return CommandResult.Ok(build(period, zone, current, previous));
    }

    private async Task<CommandResult<SeriesReport>> SeriesAsync(AnalyticsQuery query, TimeSpan keepFor)
    {
        if (AnalyticsPeriods.FindZone(query.Tz) is not { } zone)
        {
            return CommandResult.Fail<SeriesReport>(CommandStatus.Invalid, "Unknown time zone.", "tz");
        }

        var now = time.GetUtcNow();
        var range = AnalyticsPeriods.Covering(query.StartDate!.Value, query.EndDate!.Value, query.Granularity, zone, query.Tz);
        if (AnalyticsRangeRules.Check(range, zone, now, options.Value, "start_date") is { } refusal)
        {
            return CommandResult.Fail<SeriesReport>(CommandStatus.Invalid, refusal.Detail, refusal.Field);
        }

        var slices = await SlicesAsync(await BotsAsync(query), range, keepFor);
        return CommandResult.Ok(AnalyticsReportBuilder.Series(range, zone, query.BotId, slices));
    }

    private async Task<IReadOnlyList<long>> BotsAsync(AnalyticsQuery query) =>
        query.BotId is { } bot ? [bot] : await organizationBots.CachedAsync(query.OrganizationIds);

    private async Task<IReadOnlyList<BotStatsSlice>> SlicesAsync(IReadOnlyList<long> bots, StatsRange range, TimeSpan keepFor) =>
        await Task.WhenAll(bots.Select(b => GrainFactory.GetGrain<IBotAnalyticsCacheGrain>(b).GetSliceAsync(range, keepFor)));
}
