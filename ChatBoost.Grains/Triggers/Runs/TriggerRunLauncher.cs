using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// Makes a run of a schedule trigger and sets it walking: the <c>trigger_runs</c> row (once per occurrence — a second
/// launch of the same occurrence finds the first run), the trigger's "matched" log line (what the statistics count as
/// fired), then <see cref="ITriggerRunGrain.StartAsync"/>. Used by the schedule grain's tick and by run-now.
/// </summary>
public sealed class TriggerRunLauncher(TriggerRunStore runs, TriggerLogWriter logs, IGrainFactory grains, TimeProvider time)
{
    public async Task<TriggerRunView> LaunchAsync(TriggerView trigger, string source, DateTimeOffset? occurrence, long? requestedBy)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var now = time.GetUtcNow();
        var (runId, created) = await runs.CreateAsync(trigger, source, occurrence, requestedBy, now);
        if (created)
        {
            await logs.WriteAsync(new TriggerLogEntry(trigger.Id, trigger.BotId, trigger.OrganizationId, TriggerLogEvents.Matched, $"run:{runId}", null, null, null,
                $"run {runId} ({source}{(occurrence is { } at ? $", occurrence {at:O}" : "")}) for {Audience.Parse(trigger.Definition.AudienceJson)}", now));
        }

        await grains.GetGrain<ITriggerRunGrain>(runId).StartAsync();
        return await runs.ViewAsync(runId) ?? throw new InvalidOperationException($"Run {runId} vanished after its insert.");
    }

    /// <summary>A "skipped" line for occurrences older than the grace that never ran (keyed by the check's time).</summary>
    public Task LogMissedAsync(TriggerView trigger, int missed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return logs.WriteAsync(new TriggerLogEntry(trigger.Id, trigger.BotId, trigger.OrganizationId, TriggerLogEvents.Skipped,
            $"missed:{now.UtcTicks}", null, null, null, $"{missed} occurrence(s) missed beyond the catch-up grace (the cluster was down); they do not run", now));
    }
}
