using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Triggers;

/// <summary>Purges trigger log lines past the retention, and the statistics of triggers deleted longer ago than it, on a
/// reminder (one activation in the cluster, key 0).</summary>
public interface ITriggerLogRetentionGrain : IGrainWithIntegerKey, IRemindable
{
    Task StartAsync();
}

/// <inheritdoc cref="ITriggerLogRetentionGrain"/>
public sealed class TriggerLogRetentionGrain(
    TriggerQueries queries, IOptions<TriggerOptions> options, TimeProvider time, ILogger<TriggerLogRetentionGrain> logger)
    : Grain, ITriggerLogRetentionGrain
{
    private const string ReminderName = "trigger-log-retention";
    private const int Batch = 5_000;

    public async Task StartAsync() =>
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), options.Value.RetentionInterval);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var before = time.GetUtcNow().AddDays(-options.Value.LogRetentionDays);
        var total = 0;
        for (var i = 0; i < 100; i++)
        {
            var purged = await queries.PurgeLogsAsync(before, Batch);
            total += purged;
            if (purged < Batch)
            {
                break;
            }
        }

        var statistics = await queries.PurgeDeletedStatisticsAsync(before);
        if (total > 0 || statistics > 0)
        {
            logger.LogInformation("Trigger logs: {Count} lines older than {Before:O} purged, and the statistics of {Deleted} triggers deleted before it",
                total, before, statistics);
        }
    }
}

/// <summary>Registers the retention grain's reminder at silo start (idempotent on every silo).</summary>
public sealed class TriggerStartupTask(IGrainFactory grains, ILogger<TriggerStartupTask> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<ITriggerLogRetentionGrain>(0).StartAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not register the trigger log retention reminder; the next silo start does");
        }
    }
}
