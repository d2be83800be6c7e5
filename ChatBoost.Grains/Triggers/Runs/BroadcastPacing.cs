namespace ChatBoost.Grains.Triggers.Runs;

/// <summary>
/// How many contacts a run may start now, pure. Every send of the number already waits for its slot at the number's
/// pacer (<c>PhoneNumberRateLimiterGrain</c>), which never lets more than the rate through; the run does not take slots
/// itself (each message would then cost two) but reads how far ahead the pacer's slots are reserved and starts only as
/// many contacts as fill the lead back up: at <c>rate</c>/s, <c>rate × (lead − backlog)</c>. So the number sends at its
/// rate, sends of other traffic (replies to inbound messages) share it fairly instead of queueing behind thousands of
/// broadcast sends, and a cancelled run leaves at most a lead's worth of messages behind.
/// </summary>
public static class BroadcastPacing
{
    public static int Budget(int ratePerSecond, TimeSpan backlog, TimeSpan lead, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratePerSecond, 1);
        var room = lead - backlog;
        if (room <= TimeSpan.Zero)
        {
            return 0;
        }

        var budget = (int)Math.Floor(ratePerSecond * room.TotalSeconds);
        return Math.Clamp(budget, 0, maxBatch);
    }
}
