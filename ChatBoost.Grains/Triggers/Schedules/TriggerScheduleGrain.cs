using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Triggers.Schedules;

/// <summary>
/// The clock of one schedule trigger (key: the trigger id). Its state is the <c>trigger_schedules</c> row; the decision is
/// pure: <see cref="ScheduleClock"/> (what is due, at most one run per check), <see cref="ScheduleReminderPlan"/> (when to
/// tick next). A tick asks the bot's <see cref="ITriggerSetGrain"/> for the trigger as it is now, so a reminder that
/// outlived a deactivation or a deletion fires nothing and removes itself. Runs are made by <see cref="TriggerRunLauncher"/>,
/// once per occurrence (a unique key), so a tick delivered twice makes one run.
/// </summary>
public sealed class TriggerScheduleGrain(
    TriggerScheduleStore store, TriggerRunLauncher launcher, IOptions<TriggerOptions> options, TimeProvider time, ILogger<TriggerScheduleGrain> logger)
    : Grain, ITriggerScheduleGrain, IRemindable
{
    public const string ReminderName = "trigger-schedule";

    private TriggerScheduleState? _state;

    private long TriggerId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => _state = await store.LoadAsync(TriggerId, cancellationToken);

    public async Task<TriggerScheduleView> SyncAsync(long botId, TriggerView? trigger)
    {
        var now = time.GetUtcNow();
        if (ActiveSchedule(trigger) is not { } schedule)
        {
            return await StopAsync(botId, now);
        }

        // A change is a fresh start: occurrences before it are not due (no catch-up of a time that was not the schedule).
        var next = schedule.NextAfter(now);
        var state = new TriggerScheduleState(TriggerId, botId, true, now, _state?.LastOccurrence, _state?.LastRunId, _state?.Missed ?? 0, next);
        await SaveAsync(state, now);
        logger.LogInformation("Schedule trigger {TriggerId}: next occurrence {Next:O}", TriggerId, next);
        return state.ToView();
    }

    public async Task<TriggerScheduleView> CheckAsync()
    {
        var now = time.GetUtcNow();
        if (_state is not { Active: true, CountsFrom: { } countsFrom } state)
        {
            await SetReminderAsync(null);
            return (_state ?? new TriggerScheduleState(TriggerId, 0, false, null, null, null, 0, null)).ToView();
        }

        var trigger = await GrainFactory.GetGrain<ITriggerSetGrain>(state.BotId).GetAsync(TriggerId);
        if (ActiveSchedule(trigger) is not { } schedule)
        {
            logger.LogInformation("Schedule trigger {TriggerId}: a tick found it inactive or deleted; nothing fires", TriggerId);
            return await StopAsync(state.BotId, now);
        }

        var tick = ScheduleClock.Check(schedule, countsFrom, now, options.Value.CatchUpGrace);
        var runId = state.LastRunId;
        if (tick.Fire is { } occurrence)
        {
            var source = ScheduleReminderPlan.IsCatchUp(occurrence, now, options.Value.CheckInterval) ? TriggerRunSources.CatchUp : TriggerRunSources.Schedule;
            var run = await launcher.LaunchAsync(trigger!, source, occurrence, requestedBy: null);
            runId = run.Id;
            logger.LogInformation("Schedule trigger {TriggerId}: occurrence {Occurrence:O} runs as run {RunId} ({Source})", TriggerId, occurrence, run.Id, source);
        }

        if (tick.MissedBeyondGrace > 0)
        {
            logger.LogWarning("Schedule trigger {TriggerId}: {Missed} occurrence(s) before {Now:O} were missed beyond the {Grace} grace and do not run",
                TriggerId, tick.MissedBeyondGrace, now, options.Value.CatchUpGrace);
            await launcher.LogMissedAsync(trigger!, tick.MissedBeyondGrace, now);
        }

        // Everything up to now has run or been counted: the next check counts from here.
        var checkedState = state with
        {
            CountsFrom = now,
            LastOccurrence = tick.Fire ?? state.LastOccurrence,
            LastRunId = runId,
            Missed = state.Missed + tick.MissedBeyondGrace,
            NextDue = tick.NextDue,
        };
        await SaveAsync(checkedState, now);
        return checkedState.ToView();
    }

    public Task<TriggerScheduleView?> GetAsync() => Task.FromResult(_state?.ToView());

    public async Task<CommandResult<TriggerRunView>> RunNowAsync(long botId, long requestedBy)
    {
        var trigger = await GrainFactory.GetGrain<ITriggerSetGrain>(botId).GetAsync(TriggerId);
        if (trigger is null)
        {
            return CommandResult.Fail<TriggerRunView>(CommandStatus.NotFound, "Trigger not found.");
        }

        if (trigger.Definition.TriggerType != TriggerTypes.Schedule)
        {
            return CommandResult.Fail<TriggerRunView>(CommandStatus.Invalid, "Only a schedule trigger runs for an audience.", "trigger_type");
        }

        var run = await launcher.LaunchAsync(trigger, TriggerRunSources.Manual, occurrence: null, requestedBy);
        logger.LogInformation("Schedule trigger {TriggerId}: run {RunId} started now by user {UserId}", TriggerId, run.Id, requestedBy);
        return CommandResult.Ok(run);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == ReminderName ? CheckAsync() : Task.CompletedTask;

    private static TriggerSchedule? ActiveSchedule(TriggerView? trigger) =>
        trigger?.Definition is { TriggerType: TriggerTypes.Schedule, IsActive: true } definition ? TriggerRules.Schedule(definition, out _) : null;

    private async Task<TriggerScheduleView> StopAsync(long botId, DateTimeOffset now)
    {
        var state = (_state ?? new TriggerScheduleState(TriggerId, botId, false, null, null, null, 0, null)) with { Active = false, CountsFrom = null, NextDue = null };
        await SaveAsync(state, now);
        return state.ToView();
    }

    private async Task SaveAsync(TriggerScheduleState state, DateTimeOffset now)
    {
        await store.SaveAsync(state, now);
        _state = state;
        await SetReminderAsync(state.Active ? ScheduleReminderPlan.DueIn(state.NextDue, now, options.Value.ScheduleUpdateInterval) : null);
    }

    private async Task SetReminderAsync(TimeSpan? dueIn)
    {
        if (dueIn is { } due)
        {
            await this.RegisterOrUpdateReminder(ReminderName, due, options.Value.CheckInterval);
        }
        else if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
