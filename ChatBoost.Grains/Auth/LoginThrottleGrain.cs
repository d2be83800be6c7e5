using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Grains.Auth;

/// <summary>
/// One throttle key's login attempts, cluster-wide (one activation per key), persisted in grain storage so a
/// silo restart does not reset a lockout. The grain handles one call at a time, which makes reserve-then-count
/// atomic; the window logic is <see cref="LoginAttemptWindow"/>.
/// </summary>
public sealed class LoginThrottleGrain(
    [PersistentState("loginThrottle", "Default")] IPersistentState<LoginThrottleState> state,
    TimeProvider time) : Grain, ILoginThrottleGrain
{
    public async Task<ThrottleReservation> ReserveAsync(int maxFailures, TimeSpan window)
    {
        var s = state.State;
        var (ticket, retryAfter) = LoginAttemptWindow.TryReserve(s.Attempts, s.NextTicket, time.GetUtcNow(), maxFailures, window);
        if (ticket is not null)
        {
            s.NextTicket++;
            await state.WriteStateAsync();
        }

        return new ThrottleReservation(ticket, retryAfter);
    }

    public async Task SucceededAsync(long ticket, bool forgive)
    {
        if (!LoginAttemptWindow.Withdraw(state.State.Attempts, ticket, forgive))
        {
            return;
        }

        if (state.State.Attempts.Count == 0)
        {
            // Nothing left to remember: empty the stored row rather than keep a payload per key forever.
            await state.ClearStateAsync();
        }
        else
        {
            await state.WriteStateAsync();
        }
    }
}
