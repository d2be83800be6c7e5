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

    /// <summary>
    /// Reserves the next free slot only if it starts within <paramref name="maxWait"/> (the caller's deadline): granted,
    /// the caller waits <see cref="SendSlot.Delay"/> and sends once; refused, nothing is reserved and
    /// <see cref="SendSlot.Delay"/> is how long until the earliest slot it could have had.
    /// </summary>
    [Alias("TryAcquire")]
    Task<SendSlot> TryAcquireAsync(TimeSpan maxWait);

    /// <summary>How far ahead the number's slots are already reserved (zero: a send now goes at once). Reserves nothing: a
    /// broadcast reads it to start only as many contacts as keep the number busy.</summary>
    [Alias("Backlog")]
    Task<TimeSpan> BacklogAsync();

    /// <summary>Meta throttled the number (130429, 80007, 4): no new slot starts within <paramref name="pause"/> (capped at 1 minute).</summary>
    [Alias("Pause")]
    Task PauseAsync(TimeSpan pause);
}

/// <summary>The answer of <see cref="IPhoneNumberRateLimiterGrain.TryAcquireAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.SendSlot")]
public readonly record struct SendSlot([property: Id(0)] bool Granted, [property: Id(1)] TimeSpan Delay);
