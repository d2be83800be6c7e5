using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Pure, single-threaded pacing for one business phone number: reservation-based "next free slot" scheduling (the
/// generic cell rate algorithm with no burst). Each <see cref="Reserve"/> takes the earliest free slot at or after
/// <c>now</c> and moves the next free slot one <see cref="Interval"/> later; the caller waits the returned delay and sends.
/// <para>
/// Why this and not a token bucket: a bucket with capacity B lets B + N sends through in some 1-second window, and a
/// "wait and ask again" protocol lets callers race for the same permit. Reserved slots are spaced strictly more than
/// 1/N second apart (<see cref="Interval"/> = ⌊1 s / N⌋ + 1 tick), so N + 1 slots span more than a second and no
/// window of one second — open or closed — ever holds more than N of them, however many callers or silos ask: they
/// all ask the same single activation, which serialises the reservations. Every caller gets an answer at once, FIFO.
/// A caller with a deadline uses <see cref="TryReserve"/>: a slot it could not use in time is refused, not reserved,
/// so a send that will not happen never pushes the others back.
/// </para>
/// Time is a monotonic offset (e.g. <see cref="TimeProvider.GetElapsedTime(long)"/>), so wall-clock jumps do no harm.
/// </summary>
public sealed class SendSlotScheduler
{
    private TimeSpan _nextFree = TimeSpan.MinValue;

    public SendSlotScheduler(int ratePerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ratePerSecond, (int)(TimeSpan.TicksPerSecond / 2));
        RatePerSecond = ratePerSecond;
        Interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / ratePerSecond + 1);
    }

    public int RatePerSecond { get; }

    /// <summary>The spacing between two slots: a little over 1/N second.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Reserves the next free slot and returns how long to wait before using it (<see cref="TimeSpan.Zero"/>: send now).</summary>
    public TimeSpan Reserve(TimeSpan now)
    {
        var slot = now > _nextFree ? now : _nextFree;
        _nextFree = slot + Interval;
        return slot - now;
    }

    /// <summary>
    /// Reserves the next free slot only if it starts within <paramref name="maxWait"/> of <paramref name="now"/> (the
    /// caller's deadline); otherwise reserves nothing. Either way <see cref="SendSlot.Delay"/> is the wait to the slot
    /// (granted: the caller's; refused: the earliest one it could have had).
    /// </summary>
    public SendSlot TryReserve(TimeSpan now, TimeSpan maxWait)
    {
        var slot = now > _nextFree ? now : _nextFree;
        if (slot - now > maxWait)
        {
            return new SendSlot(false, slot - now);
        }

        _nextFree = slot + Interval;
        return new SendSlot(true, slot - now);
    }

    /// <summary>No slot starts before <paramref name="now"/> + <paramref name="pause"/> (Meta said the number sends too fast).</summary>
    public void Pause(TimeSpan now, TimeSpan pause)
    {
        var until = now + (pause > TimeSpan.Zero ? pause : TimeSpan.Zero);
        if (until > _nextFree)
        {
            _nextFree = until;
        }
    }

    /// <summary>How far ahead slots are already reserved.</summary>
    public TimeSpan Backlog(TimeSpan now) => _nextFree > now ? _nextFree - now : TimeSpan.Zero;
}
