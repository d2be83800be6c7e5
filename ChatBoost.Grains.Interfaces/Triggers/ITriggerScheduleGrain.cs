namespace ChatBoost.Grains.Interfaces.Triggers;

/// <summary>
/// The clock of one schedule trigger (key: the trigger id): a reminder at its next occurrence, and on each tick at most
/// one run (the catch-up rule). Told of every change by the bot's trigger set grain; on a tick it asks that grain for the
/// trigger as it is now, so a late tick of a trigger deactivated or deleted meanwhile fires nothing.
/// </summary>
[Alias("chatboost.triggers.ITriggerScheduleGrain")]
public interface ITriggerScheduleGrain : IGrainWithIntegerKey
{
    /// <summary>The trigger changed (null: deleted). Active: the reminder is set for its next occurrence; otherwise removed.</summary>
    [Alias("Sync")]
    Task<TriggerScheduleView> SyncAsync(long botId, TriggerView? trigger);

    /// <summary>What the reminder's tick does, now: fires the due occurrence (at most one) and sets the next reminder.</summary>
    [Alias("Check")]
    Task<TriggerScheduleView> CheckAsync();

    [Alias("Get")]
    Task<TriggerScheduleView?> GetAsync();

    /// <summary>Starts a run of the trigger's flow for its audience now (<c>POST /triggers/{id}/runs</c>), whatever its
    /// schedule; the trigger must be a schedule trigger of <paramref name="botId"/>.</summary>
    [Alias("RunNow")]
    Task<CommandResult<TriggerRunView>> RunNowAsync(long botId, long requestedBy);
}

/// <summary>A schedule trigger's clock: since when it counts, the last occurrence run, how many were missed beyond the
/// grace, and when it is due next (null: inactive, or a once schedule that has fired).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.triggers.TriggerScheduleView")]
public sealed record TriggerScheduleView(
    [property: Id(0)] long TriggerId,
    [property: Id(1)] bool Active,
    [property: Id(2)] DateTimeOffset? CountsFrom,
    [property: Id(3)] DateTimeOffset? LastOccurrence,
    [property: Id(4)] long Missed,
    [property: Id(5)] DateTimeOffset? NextDue,
    [property: Id(6)] long? LastRunId);
