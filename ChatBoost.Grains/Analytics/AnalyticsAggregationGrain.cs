using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Analytics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// <see cref="IAnalyticsAggregationGrain"/>: a thin shell over <see cref="AnalyticsAggregator"/> and
/// <see cref="AnalyticsSchedule"/>. The reminders make the runs durable (they survive restarts and move with the
/// activation); one activation handling one call at a time keeps runs from overlapping (the aggregator's advisory lock
/// covers a second activation during membership churn). After each run the caches of the bots whose rows changed are
/// emptied, and those of the flows whose funnel rows changed. Each tick also recomputes the days that late changes marked
/// (<see cref="LateChanges"/>). With <see cref="AnalyticsOptions.Enabled"/> off, the reminders are removed and nothing
/// runs on schedule.
/// </summary>
public sealed class AnalyticsAggregationGrain(
    AnalyticsAggregator aggregator, AnalyticsRuns runs, LateChanges lateChanges, IOptions<AnalyticsOptions> options, TimeProvider time,
    ILogger<AnalyticsAggregationGrain> logger) : Grain, IAnalyticsAggregationGrain, IRemindable
{
    /// <summary>Marked days recomputed per tick at most (the rest wait for the next tick).</summary>
    public const int LateDaysPerTick = 5_000;

    private DateTimeOffset? _lastHourlyFor;

    public async Task StartAsync()
    {
        if (!options.Value.Enabled)
        {
            foreach (var name in new[] { AnalyticsRuns.Tick, AnalyticsRuns.Daily, AnalyticsRuns.Cleanup })
            {
                if (await this.GetReminder(name) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }
            }

            logger.LogWarning("Analytics aggregation is off (ANALYTICS_ENABLED=false): no scheduled runs, the rollups stay as they are");
            return;
        }

        var now = time.GetUtcNow();
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Tick, AnalyticsSchedule.TickPeriod, AnalyticsSchedule.TickPeriod);
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Daily, AnalyticsSchedule.DueIn(now, AnalyticsSchedule.DailyAt), AnalyticsSchedule.Day);
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Cleanup, AnalyticsSchedule.DueIn(now, AnalyticsSchedule.CleanupAt), AnalyticsSchedule.Day);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (options.Value.Enabled && reminderName is AnalyticsRuns.Tick or AnalyticsRuns.Daily or AnalyticsRuns.Cleanup)
        {
            await RunNowAsync(reminderName);
        }
    }

    public async Task<long> RunNowAsync(string kind)
    {
        var now = time.GetUtcNow();
        switch (kind)
        {
            case AnalyticsRuns.Tick:
                var changed = await RunAsync(kind, AnalyticsSchedule.TickWindow(now), null);
                var hour = StatsDefinitions.HourOf(now);
                if (_lastHourlyFor != hour)
                {
                    changed += await RunAsync(AnalyticsRuns.Hourly, AnalyticsSchedule.HourlyWindow(now), null);
                    _lastHourlyFor = hour;
                }

                return changed + await RunLateAsync(now);
            case AnalyticsRuns.Late:
                return await RunLateAsync(now);
            case AnalyticsRuns.Hourly:
                return await RunAsync(kind, AnalyticsSchedule.HourlyWindow(now), null);
            case AnalyticsRuns.Daily:
                return await RunAsync(kind, AnalyticsSchedule.DailyWindow(now, options.Value.ReconcileDays), null);
            case AnalyticsRuns.Cleanup:
                var started = time.GetUtcNow();
                var deleted = await runs.CleanupAsync(CancellationToken.None);
                await runs.RecordAsync(kind, started, new AggregationReport(started, started, deleted, [], TimeSpan.Zero, []), null, CancellationToken.None);
                logger.LogInformation("Analytics cleanup deleted {Rows} rows past the retention", deleted);
                return deleted;
            default:
                throw new ArgumentException($"Unknown aggregation kind '{kind}'.", nameof(kind));
        }
    }

    public async Task<CommandResult<AggregateNowResult>> AggregateNowAsync(AggregateNowCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var (from, to) = AnalyticsSchedule.DayWindow(command.Date);
        if (from < options.Value.DailyHorizon(now) || from > now)
        {
            return CommandResult.Fail<AggregateNowResult>(
                CommandStatus.Invalid, $"Must be a UTC day from the last {options.Value.DailyRetentionDays} days, today included.", "date");
        }

        if (command.BotIds.Count > AggregateNowCommand.MaxBotsPerCall)
        {
            return CommandResult.Fail<AggregateNowResult>(
                CommandStatus.Invalid, $"At most {AggregateNowCommand.MaxBotsPerCall} bots per call (AggregateNow.RunChunkedAsync splits larger sets).", "bot_ids");
        }

        var started = time.GetUtcNow();
        // Without force, a day that ended and was aggregated after it ended is left as it is (the result is the same).
        var skipped = !command.ForceRecalculate && to <= now
            ? await runs.AggregatedAfterAsync(command.BotIds, command.Date, to, CancellationToken.None)
            : [];
        var aggregated = command.BotIds.Except(skipped).Distinct().Order().ToList();
        long rows = 0;
        if (aggregated.Count > 0)
        {
            // One pass over the day's raw rows for every bot of the call, not one per bot.
            rows = await RunAsync(AnalyticsRuns.Manual, AnalyticsSchedule.DayWindowUntil(command.Date, now), aggregated);
        }

        return CommandResult.Ok(new AggregateNowResult(
            command.Date, command.ForceRecalculate, aggregated, [.. skipped.Order()], rows, (long)(time.GetUtcNow() - started).TotalMilliseconds, Chunks: 1));
    }

    /// <summary>Recomputes the days late changes marked, one pass per day, then deletes the marks it saw.</summary>
    private async Task<long> RunLateAsync(DateTimeOffset now)
    {
        var horizon = options.Value.DailyHorizon(now);
        var marks = await lateChanges.ReadAsync(DateOnly.FromDateTime(horizon.UtcDateTime), LateDaysPerTick, CancellationToken.None);
        long changed = 0;
        foreach (var run in LateChanges.Plan(marks))
        {
            changed += await RunAsync(AnalyticsRuns.Late, AnalyticsSchedule.DayWindowUntil(run.Date, now), run.Bots);
        }

        if (marks.Count > 0)
        {
            await lateChanges.DeleteAsync(marks, CancellationToken.None);
        }

        return changed;
    }

    private async Task<long> RunAsync(string kind, (DateTimeOffset From, DateTimeOffset To) window, IReadOnlyCollection<long>? bots)
    {
        var started = time.GetUtcNow();
        try
        {
            var report = await aggregator.AggregateAsync(window.From, window.To, bots, CancellationToken.None);
            await Task.WhenAll(report.ChangedBots.Select(b => GrainFactory.GetGrain<IBotAnalyticsCacheGrain>(b).InvalidateAsync())
                .Concat(report.ChangedFlows.Select(f => GrainFactory.GetGrain<IFlowFunnelCacheGrain>(f).InvalidateAsync())));
            await runs.RecordAsync(kind, started, report, null, CancellationToken.None);
            if (report.RowsChanged > 0 || kind != AnalyticsRuns.Tick)
            {
                logger.LogInformation(
                    "Analytics {Kind} aggregation of [{From:o}, {To:o}) changed {Rows} rows of {Bots} bots in {Took} ms",
                    kind, window.From, window.To, report.RowsChanged, report.ChangedBots.Count, (long)report.Took.TotalMilliseconds);
            }

            return report.RowsChanged;
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            logger.LogError(e, "Analytics {Kind} aggregation of [{From:o}, {To:o}) failed", kind, window.From, window.To);
            await runs.RecordAsync(kind, started, null, e.GetType().Name, CancellationToken.None);
            throw;
        }
    }
}
