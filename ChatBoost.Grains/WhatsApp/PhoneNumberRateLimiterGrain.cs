using ChatBoost.Grains.Interfaces.WhatsApp;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// <see cref="IPhoneNumberRateLimiterGrain"/> over a <see cref="SendSlotScheduler"/>.
/// <para>
/// A normal (non-stateless-worker) grain, so there is one activation per phone number in the cluster; that single
/// activation serialising the reservations is what makes the limit exact across silos. Not [Reentrant] and no
/// [AlwaysInterleave]: both methods finish synchronously (no await, no I/O), so interleaving could gain nothing — a
/// turn takes microseconds, far more than the 1,000/s Meta's highest tier needs — and the grain never waits for the
/// slot itself: it returns the delay and the caller waits, so a long queue never blocks the grain or ties up
/// callers' requests beyond one quick turn.
/// </para>
/// <para>
/// Limits: the schedule lives in memory; if the activation is lost (silo crash) while slots are reserved ahead,
/// the new activation does not know them and the number may briefly exceed the rate for at most the reserved
/// backlog — Meta then answers 130429, which the client retries after a pause. The delay is exact at the grain; a
/// caller's network latency to the grain only shifts its send by that latency.
/// </para>
/// </summary>
public sealed class PhoneNumberRateLimiterGrain(IOptions<WhatsAppClientOptions> options, TimeProvider time) : Grain, IPhoneNumberRateLimiterGrain
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(1);
    private readonly long _origin = time.GetTimestamp();
    private readonly SendSlotScheduler _slots = new(options.Value.RatePerSecond);

    private TimeSpan Now => time.GetElapsedTime(_origin);

    public Task<TimeSpan> AcquireAsync() => Task.FromResult(_slots.Reserve(Now));

    public Task<SendSlot> TryAcquireAsync(TimeSpan maxWait) => Task.FromResult(_slots.TryReserve(Now, maxWait));

    public Task<TimeSpan> BacklogAsync() => Task.FromResult(_slots.Backlog(Now));

    public Task PauseAsync(TimeSpan pause)
    {
        _slots.Pause(Now, pause > MaxPause ? MaxPause : pause);
        return Task.CompletedTask;
    }
}
