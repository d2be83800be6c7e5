using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Schedules;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// At silo start: resumes every running broadcast run at once (its reminder would, within a minute — this makes a
/// restart cost seconds, not a minute), and syncs the active schedule triggers whose clock is not running (a change whose
/// call to the schedule grain was lost with a silo). Idempotent on every silo: both calls are.
/// </summary>
public sealed class ScheduleResumption(TriggerRunStore runs, TriggerScheduleStore schedules, IGrainFactory grains, ILogger<ScheduleResumption> logger)
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        try
        {
            var running = await runs.RunningAsync();
            await Task.WhenAll(running.Select(id => grains.GetGrain<ITriggerRunGrain>(id).StartAsync()));
            var unsynced = await schedules.UnsyncedAsync(cancellationToken);
            foreach (var (triggerId, botId) in unsynced)
            {
                var trigger = await grains.GetGrain<ITriggerSetGrain>(botId).GetAsync(triggerId);
                await grains.GetGrain<ITriggerScheduleGrain>(triggerId).SyncAsync(botId, trigger);
            }

            if (running.Count > 0 || unsynced.Count > 0)
            {
                logger.LogInformation("Triggers: {Runs} running broadcast run(s) resumed, {Schedules} schedule(s) synced", running.Count, unsynced.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Triggers: resuming runs and syncing schedules at start failed; the runs' reminders resume them");
        }
    }
}
