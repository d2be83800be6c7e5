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
/// The wake-up rule, pure. Every active execution has a reminder, from its start: due at the wait's end while waiting,
/// otherwise within <see cref="RunningCheck"/>; its period (one minute) repeats it until the execution ends. So a crash at
/// any point — before the first wait included — is followed by a tick that re-activates the contact and resumes it.
/// Ticks that come early, late or twice are harmless (the interpreter checks the time).
/// </summary>
public static class WakePlan
{
    /// <summary>How soon a running execution (a step in flight) is looked at again if nothing else wakes it.</summary>
    public static readonly TimeSpan RunningCheck = TimeSpan.FromMinutes(1);

    /// <summary>The reminder's period: it keeps ticking until removed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    /// <param name="next">The execution's state after the step.</param>
    /// <param name="registeredDue">The due time of the reminder this activation registered, or null if it registered none.</param>
    public static WakeChange Plan(ExecutionSnapshot next, DateTimeOffset? registeredDue, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (!next.IsActive)
        {
            return new WakeChange.RemoveAfter();
        }

        if (next.Status is ExecutionStatus.Waiting or ExecutionStatus.WaitingForReply && next.WakeAt is { } wakeAt)
        {
            return registeredDue == wakeAt ? new WakeChange.Keep() : new WakeChange.RegisterBefore(wakeAt);
        }

        // Running: a registered reminder ticks every Period from its due time on, which is what a step in flight needs (a
        // check that it did not stop) — unless that due time is far ahead (the wait it was set for ended early, e.g. by a
        // reply): then it must come sooner.
        return registeredDue is { } due && due <= now + RunningCheck ? new WakeChange.Keep() : new WakeChange.RegisterBefore(now + RunningCheck);
    }
}
