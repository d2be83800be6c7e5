namespace ChatBoost.Grains.Auth;

/// <summary>
/// The login attempts of one throttle key in a sliding window. An attempt is reserved — counted as a failure —
/// before the password is checked, so attempts that run at the same time cannot all slip under the limit;
/// a success withdraws its reservation. Pure: the caller passes the time and holds the list (grain state).
/// At most <see cref="HardCap"/> entries are kept, so the state stays small under a flood.
/// </summary>
public static class LoginAttemptWindow
{
    public const int HardCap = 200;

    /// <summary>
    /// Reserves an attempt when fewer than <paramref name="maxFailures"/> are in the window: returns its
    /// ticket; otherwise null and how long until one ages out. The list changes only when allowed.
    /// </summary>
    public static (long? Ticket, TimeSpan RetryAfter) TryReserve(
        List<LoginAttempt> attempts, long nextTicket, DateTimeOffset now, int maxFailures, TimeSpan window)
    {
        Prune(attempts, now, window);
        if (attempts.Count >= maxFailures)
        {
            // Allowed again once enough attempts have aged out to go below the limit.
            var releasing = attempts[attempts.Count - maxFailures].At;
            var wait = releasing + window - now;
            return (null, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
        }

        attempts.Add(new LoginAttempt(nextTicket, now));
        if (attempts.Count > HardCap)
        {
            attempts.RemoveRange(0, attempts.Count - HardCap);
        }

        return (nextTicket, TimeSpan.Zero);
    }

    /// <summary>A reserved attempt succeeded: it no longer counts. With <paramref name="forgive"/>, neither do the earlier failures.</summary>
    public static bool Withdraw(List<LoginAttempt> attempts, long ticket, bool forgive)
    {
        if (forgive)
        {
            var had = attempts.Count > 0;
            attempts.Clear();
            return had;
        }

        return attempts.RemoveAll(a => a.Ticket == ticket) > 0;
    }

    /// <summary>Drops attempts that left the window; true when any did.</summary>
    public static bool Prune(List<LoginAttempt> attempts, DateTimeOffset now, TimeSpan window) =>
        attempts.RemoveAll(a => a.At <= now - window) > 0;
}

/// <summary>One reserved login attempt: its ticket (to withdraw it on success) and when it was made.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.LoginAttempt")]
public sealed record LoginAttempt([property: Id(0)] long Ticket, [property: Id(1)] DateTimeOffset At);

/// <summary>The persisted state of a <see cref="LoginThrottleGrain"/>.</summary>
[GenerateSerializer, Alias("chatboost.auth.LoginThrottleState")]
public sealed class LoginThrottleState
{
    [Id(0)] public List<LoginAttempt> Attempts { get; set; } = [];

    [Id(1)] public long NextTicket { get; set; } = 1;
}
