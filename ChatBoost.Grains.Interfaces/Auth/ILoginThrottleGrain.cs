namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>
/// Counts login attempts for one key in a sliding window, cluster-wide, so every API instance sees the same
/// count. Keys (<see cref="LoginThrottleKeys"/>): an (account, client) pair, an account alone (the slower
/// global back-off) and a client alone. An attempt is reserved before the password is checked and counts
/// as a failure unless it is withdrawn on success, so parallel guesses cannot pass the limit.
/// The counters are grain state in PostgreSQL: they survive a silo restart.
/// </summary>
[Alias("chatboost.auth.ILoginThrottleGrain")]
public interface ILoginThrottleGrain : IGrainWithStringKey
{
    /// <summary>Reserves one attempt when the key is under <paramref name="maxFailures"/> in the window.</summary>
    [Alias("Reserve")]
    Task<ThrottleReservation> ReserveAsync(int maxFailures, TimeSpan window);

    /// <summary>The reserved attempt succeeded: withdraw it; with <paramref name="forgive"/>, the key's earlier failures too.</summary>
    [Alias("Succeeded")]
    Task SucceededAsync(long ticket, bool forgive);
}

/// <summary>A reservation: its ticket when allowed, else how long to wait.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.ThrottleReservation")]
public sealed record ThrottleReservation([property: Id(0)] long? Ticket, [property: Id(1)] TimeSpan RetryAfter);

/// <summary>The throttle keys of a login: one place so that every caller spells them alike.</summary>
public static class LoginThrottleKeys
{
    public static string Pair(string normalizedEmail, string client) => $"pair:{client}|{normalizedEmail}";

    public static string Account(string normalizedEmail) => $"account:{normalizedEmail}";

    public static string Client(string client) => $"client:{client}";
}
