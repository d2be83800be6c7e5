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
/// emptied.
/// </summary>
public sealed class AnalyticsAggregationGrain(
    AnalyticsAggregator aggregator, AnalyticsRuns runs, IOptions<AnalyticsOptions> options, TimeProvider time,
    ILogger<AnalyticsAggregationGrain> logger) : Grain, IAnalyticsAggregationGrain, IRemindable
{
    private DateTimeOffset? _lastHourlyFor;

    public async Task StartAsync()
    {
        var now = time.GetUtcNow();
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Tick, AnalyticsSchedule.TickPeriod, AnalyticsSchedule.TickPeriod);
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Daily, AnalyticsSchedule.DueIn(now, AnalyticsSchedule.DailyAt), AnalyticsSchedule.Day);
        await this.RegisterOrUpdateReminder(AnalyticsRuns.Cleanup, AnalyticsSchedule.DueIn(now, AnalyticsSchedule.CleanupAt), AnalyticsSchedule.Day);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName is AnalyticsRuns.Tick or AnalyticsRuns.Daily or AnalyticsRuns.Cleanup)
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

                return changed;
            case AnalyticsRuns.Hourly:
                return await RunAsync(kind, AnalyticsSchedule.HourlyWindow(now), null);
            case AnalyticsRuns.Daily:
                return await RunAsync(kind, AnalyticsSchedule.DailyWindow(now, options.Value.ReconcileDays), null);
            case AnalyticsRuns.Cleanup:
                var started = time.GetUtcNow();
                var deleted = await runs.CleanupAsync(CancellationToken.None);
                await runs.RecordAsync(kind, started, new AggregationReport(started, started, null, deleted, [], TimeSpan.Zero), null, CancellationToken.None);
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

        var started = time.GetUtcNow();
        long rows = 0;
        var aggregated = new List<long>();
        var skipped = new List<long>();
        foreach (var bot in command.BotIds)
        {
            // Without force, a day that ended and was aggregated after it ended is left as it is (the result is the same).
            if (!command.ForceRecalculate && to <= now && await runs.AggregatedAfterAsync(bot, command.Date, to, CancellationToken.None))
            {
                skipped.Add(bot);
                continue;
            }

            rows += await RunAsync(AnalyticsRuns.Manual, (from, to < now ? to : StatsDefinitions.HourOf(now).AddHours(1)), bot);
            aggregated.Add(bot);
        }

        return CommandResult.Ok(new AggregateNowResult(
            command.Date, command.ForceRecalculate, aggregated, skipped, rows, (long)(time.GetUtcNow() - started).TotalMilliseconds));
    }

    private async Task<long> RunAsync(string kind, (DateTimeOffset From, DateTimeOffset To) window, long? botId)
    {
        var started = time.GetUtcNow();
        try
        {
            var report = await aggregator.AggregateAsync(window.From, window.To, botId, CancellationToken.None);
            await Task.WhenAll(report.ChangedBots.Select(b => GrainFactory.GetGrain<IBotAnalyticsCacheGrain>(b).InvalidateAsync()));
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
