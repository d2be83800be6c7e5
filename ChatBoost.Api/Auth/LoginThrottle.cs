using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Api.Auth;

/// <summary>
/// The cluster-wide login throttle: before a password is checked, one attempt is reserved in three
/// <see cref="ILoginThrottleGrain"/>s — the (account, client) pair (the lockout: an attacker elsewhere cannot
/// lock the user out), the account alone (a slower global back-off against guesses spread over many
/// clients) and the client alone (one client guessing many accounts). A reservation counts as a failure
/// unless the login succeeds, so parallel guesses never exceed a limit. Refused at any key: 429, and the
/// reservations already taken are withdrawn (a refused attempt checked no password).
/// </summary>
public sealed class LoginThrottle(IClusterClient cluster, AuthOptions options)
{
    public async Task<LoginAttemptPermit> ReserveAsync(string normalizedEmail, string client)
    {
        var window = TimeSpan.FromSeconds(options.LoginFailureWindowSeconds);
        var keys = new (string Key, int Limit, TimeSpan Window)[]
        {
            (LoginThrottleKeys.Pair(normalizedEmail, client), options.LoginMaxFailuresPerAccount, window),
            (LoginThrottleKeys.Account(normalizedEmail), options.LoginMaxFailuresPerAccountGlobal, TimeSpan.FromSeconds(options.LoginAccountBackoffWindowSeconds)),
            (LoginThrottleKeys.Client(client), options.LoginMaxFailuresPerIp, window),
        };
        var taken = new List<(ILoginThrottleGrain Grain, long Ticket)>(keys.Length);
        foreach (var (key, limit, keyWindow) in keys)
        {
            var grain = cluster.GetGrain<ILoginThrottleGrain>(key);
            var reservation = await grain.ReserveAsync(limit, keyWindow);
            if (reservation.Ticket is not { } ticket)
            {
                await Task.WhenAll(taken.Select(t => t.Grain.SucceededAsync(t.Ticket, forgive: false)));
                return new LoginAttemptPermit([], reservation.RetryAfter);
            }

            taken.Add((grain, ticket));
        }

        return new LoginAttemptPermit(taken, null);
    }
}

/// <summary>The reservations of one login attempt; <see cref="RetryAfter"/> is set when it was refused.</summary>
public sealed class LoginAttemptPermit(IReadOnlyList<(ILoginThrottleGrain Grain, long Ticket)> reservations, TimeSpan? retryAfter)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>
    /// The login succeeded: no reservation counts, and the (account, client) pair's earlier failures are
    /// forgiven. The account's and the client's earlier failures stay, so a success does not reopen a back-off.
    /// </summary>
    /// <summary>The password was not checked after all (the BCrypt queue was full): the attempt does not count.</summary>
    public Task WithdrawAsync() =>
        Task.WhenAll(reservations.Select(r => r.Grain.SucceededAsync(r.Ticket, forgive: false)));

    public Task SucceededAsync() =>
        Task.WhenAll(reservations.Select((r, i) => r.Grain.SucceededAsync(r.Ticket, forgive: i == 0)));
}
