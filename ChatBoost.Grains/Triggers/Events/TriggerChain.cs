namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// The bound on trigger chains: a flow_completed/flow_failed trigger can start a flow whose end fires it again (A → A, or
/// A → B → A). Per contact, at most <see cref="MaxStarts"/> executions started by such triggers within any
/// <see cref="Window"/>; a start beyond it is refused (and logged as skipped). Counting every chain start of the contact,
/// not only those of one flow, also stops loops through several flows and triggers. Pure.
/// </summary>
public sealed record TriggerChain(int MaxStarts, TimeSpan Window)
{
    /// <summary>
    /// Whether one more chain start may happen at <paramref name="now"/>, given the start times of the contact's earlier chain
    /// executions (any order; those outside the window are ignored).
    /// </summary>
    public ChainDecision Decide(IEnumerable<DateTimeOffset> earlierStarts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(earlierStarts);
        var since = now - Window;
        var inWindow = earlierStarts.Where(s => s > since).Order().ToList();
        return inWindow.Count < MaxStarts
            ? new ChainDecision(true, inWindow.Count, null)
            : new ChainDecision(false, inWindow.Count, inWindow[inWindow.Count - MaxStarts] + Window);
    }

    /// <summary>The log line of a refusal.</summary>
    public string Refusal(ChainDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return $"trigger chain bound: {decision.StartsInWindow} starts by flow_completed/flow_failed triggers for this contact within "
            + $"{Window.TotalMinutes:0} min (at most {MaxStarts}); nothing started";
    }
}

/// <summary>A chain decision: allowed or not, how many chain starts were in the window, and when one more would be allowed.</summary>
public sealed record ChainDecision(bool Allowed, int StartsInWindow, DateTimeOffset? AllowedAgainAt);
