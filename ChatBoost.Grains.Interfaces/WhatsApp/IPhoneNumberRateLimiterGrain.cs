namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// The cluster-wide send rate limit of one WhatsApp business phone number, keyed by its <c>phone_number_id</c>
/// (default 80 messages/s, <c>WHATSAPP_RATE_PER_SECOND</c>). Orleans keeps a single activation per key, so every
/// sender on every silo draws slots from the same schedule. State is in memory on purpose: it only describes the
/// next second or so.
/// </summary>
[Alias("chatboost.whatsapp.IPhoneNumberRateLimiterGrain")]
public interface IPhoneNumberRateLimiterGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves the next free send slot and returns how long the caller must wait before sending
    /// (<see cref="TimeSpan.Zero"/>: send now). The slot is the caller's: it waits, sends once, and does not ask again.
    /// </summary>
    [Alias("Acquire")]
    Task<TimeSpan> AcquireAsync();

    /// <summary>Meta throttled the number (130429, 80007, 4): no new slot starts within <paramref name="pause"/> (capped at 1 minute).</summary>
    [Alias("Pause")]
    Task PauseAsync(TimeSpan pause);
}
