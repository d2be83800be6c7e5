using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Contacts;

/// <summary>What to do with the contact's durable wake-up (its <c>flow-wake</c> reminder) around a step's commit.</summary>
public abstract record WakeChange
{
    /// <summary>The reminder as registered is right for the new state.</summary>
    public sealed record Keep : WakeChange;

    /// <summary>Register or move the reminder to <paramref name="Due"/> BEFORE the commit: no committed state is ever
    /// without a durable wake-up.</summary>
    public sealed record RegisterBefore(DateTimeOffset Due) : WakeChange;

    /// <summary>The execution ended: remove the reminder AFTER the commit (a leftover one finds nothing and removes itself).</summary>
    public sealed record RemoveAfter : WakeChange;
}

/// <summary>
/// The wake-up rule, pure. Every active execution has a durable wake-up from its start, of one of two kinds:
/// <list type="bullet">
/// <item>waiting with a wake time: the <c>flow-wake</c> reminder, registered (or moved) BEFORE the commit of the wait, due at
/// its end, repeating every <see cref="Period"/> until removed;</item>
/// <item>running (a step in flight), or waiting for a reply without a timeout: the committed row itself — the sweeper finds
/// executions <c>running</c> without an update for <c>ContactEvents:StaleRunningAfter</c> (and contacts with unconsumed
/// messages) and pokes their grain, which re-enters the step. No reminder is written for them: in the common case (a flow
/// that replies and ends) that saves two writes per conversation, and the row is a wake-up written in the very transaction
/// of the step, so it cannot be missing.</item>
/// </list>
/// Ticks that come early, late or twice are harmless (the interpreter checks the time).
/// </summary>
public static class WakePlan
{
    /// <summary>The reminder's period: it keeps ticking until removed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    /// <param name="next">The execution's state after the step.</param>
    /// <param name="registeredDue">The due time of the reminder this activation registered (or found), or null if none.</param>
    public static WakeChange Plan(ExecutionSnapshot next, DateTimeOffset? registeredDue, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (!next.IsActive)
        {
            return registeredDue is null ? new WakeChange.Keep() : new WakeChange.RemoveAfter();
        }

        if (next.Status is ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply && next.WakeAt is { } wakeAt)
        {
            return registeredDue == wakeAt ? new WakeChange.Keep() : new WakeChange.RegisterBefore(wakeAt);
        }

        // Running, or waiting for a reply with no timeout: the row is the wake-up (the sweeper). A reminder left from a wait
        // that ended early ticks once, finds nothing due, and stays until the execution ends.
        return new WakeChange.Keep();
    }
}
