namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>Where a send's outbox row stands (the <c>messages.status</c> of an outbound row, before Meta's reports).</summary>
public enum OutboxState
{
    /// <summary>No row: this client message id was never recorded.</summary>
    Absent,

    /// <summary>Recorded; nothing attempted yet.</summary>
    Queued,

    /// <summary>Marked just before the HTTP attempt; found later, the attempt was in flight when its caller died.</summary>
    Sending,

    /// <summary>Meta accepted it (a wamid is stored); delivered and read rows are sent rows too.</summary>
    Sent,

    /// <summary>Meta refused it, or it was given up before any attempt.</summary>
    Failed,

    /// <summary>An attempt whose outcome is unknown: never resent, resolved when its wamid becomes known.</summary>
    InDoubt,
}

/// <summary>What <see cref="OutboundSender"/> does with a row it finds at the start of a call.</summary>
public enum OutboxStartAction
{
    /// <summary>Absent or queued: record (if absent), take a pacing slot, mark sending, attempt.</summary>
    Attempt,

    /// <summary>Already answered: return the recorded outcome, no HTTP call.</summary>
    ReturnRecorded,

    /// <summary>Found sending: its caller died mid-attempt. Mark it in doubt and return that; never resend.</summary>
    MarkInDoubt,
}

/// <summary>
/// The outbox rule, pure: which transitions exist and what a call does with the row it finds. The SQL of
/// <see cref="OutboxStore"/> takes its conditional UPDATEs' "from" states from <see cref="SourcesOf"/>, so the database
/// enforces exactly this table.
/// </summary>
/// <remarks>
/// queued → sending (just before the attempt) | failed (given up before any attempt);
/// sending → sent | failed (Meta answered) | in_doubt (outcome unknown);
/// in_doubt → sent (the wamid became known) | failed (a late definitive refusal).
/// sent and failed are final for the outbox (Meta's delivery reports move sent rows further, by rank).
/// </remarks>
public static class OutboxStateMachine
{
    public static OutboxStartAction OnStart(OutboxState found) => found switch
    {
        OutboxState.Absent or OutboxState.Queued => OutboxStartAction.Attempt,
        OutboxState.Sending => OutboxStartAction.MarkInDoubt,
        _ => OutboxStartAction.ReturnRecorded,
    };

    public static bool CanMove(OutboxState from, OutboxState to) => SourcesOf(to).Contains(from);

    /// <summary>The states a row may move to <paramref name="to"/> from.</summary>
    public static IReadOnlyList<OutboxState> SourcesOf(OutboxState to) => to switch
    {
        OutboxState.Sending => [OutboxState.Queued],
        OutboxState.Sent => [OutboxState.Sending, OutboxState.InDoubt],
        OutboxState.Failed => [OutboxState.Queued, OutboxState.Sending, OutboxState.InDoubt],
        OutboxState.InDoubt => [OutboxState.Sending],
        _ => [],
    };

    /// <summary>The state an attempt's <see cref="SendResult"/> leads to (from sending).</summary>
    public static OutboxState After(SendResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsSuccess ? OutboxState.Sent : result.InDoubtReason is not null ? OutboxState.InDoubt : OutboxState.Failed;
    }

    /// <summary>The stored <c>status</c> of a row; delivered and read count as sent.</summary>
    public static OutboxState Parse(string? status) => status switch
    {
        null => OutboxState.Absent,
        "queued" => OutboxState.Queued,
        "sending" => OutboxState.Sending,
        "in_doubt" => OutboxState.InDoubt,
        "failed" => OutboxState.Failed,
        "sent" or "delivered" or "read" => OutboxState.Sent,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not an outbound status."),
    };

    public static string Name(OutboxState state) => state switch
    {
        OutboxState.Queued => "queued",
        OutboxState.Sending => "sending",
        OutboxState.Sent => "sent",
        OutboxState.Failed => "failed",
        OutboxState.InDoubt => "in_doubt",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a stored state."),
    };

    /// <summary>The SQL list of the stored names of <see cref="SourcesOf"/> (e.g. <c>'sending', 'in_doubt'</c>).</summary>
    public static string SourcesSql(OutboxState to) => string.Join(", ", SourcesOf(to).Select(s => $"'{Name(s)}'"));
}
