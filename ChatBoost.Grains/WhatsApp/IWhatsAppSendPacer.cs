using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Paces sends per business phone number. <see cref="WhatsAppCloudClient"/> waits for a slot before every HTTP
/// attempt, retries included, so the configured rate holds for everything that reaches Meta.
/// </summary>
public interface IWhatsAppSendPacer
{
    /// <summary>Returns when this caller may send one message from <paramref name="phoneNumberId"/>.</summary>
    ValueTask WaitForSlotAsync(string phoneNumberId, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves a slot only if it starts no later than <paramref name="notAfter"/> (null: any slot), without waiting for
    /// it: granted, the caller sends at <see cref="PacingSlot.At"/> (it may do its bookkeeping meanwhile); refused,
    /// nothing was reserved and <see cref="PacingSlot.At"/> is the earliest time a slot could have started.
    /// </summary>
    ValueTask<PacingSlot> TryReserveSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken);

    /// <summary>Meta answered "too many messages" (130429, 80007, 4): hold every sender of the number back for <paramref name="pause"/>.</summary>
    ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken);
}

/// <summary>The cluster-wide pacer: one <see cref="IPhoneNumberRateLimiterGrain"/> per phone number id hands out slots.</summary>
public sealed class GrainSendPacer(IGrainFactory grains, TimeProvider time) : IWhatsAppSendPacer
{
    public async ValueTask WaitForSlotAsync(string phoneNumberId, CancellationToken cancellationToken)
    {
        // The grain has already reserved the slot for us; waiting here (not in the grain) keeps the grain free.
        var delay = await grains.GetGrain<IPhoneNumberRateLimiterGrain>(phoneNumberId).AcquireAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<PacingSlot> TryReserveSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var maxWait = notAfter is { } deadline ? deadline - now : TimeSpan.MaxValue;
        if (maxWait < TimeSpan.Zero)
        {
            // The deadline passed while the send waited (behind the contact's earlier sends): its caller has given up.
            return new PacingSlot(false, now);
        }

        var slot = await grains.GetGrain<IPhoneNumberRateLimiterGrain>(phoneNumberId).TryAcquireAsync(maxWait).WaitAsync(cancellationToken).ConfigureAwait(false);

        // The delay counts from when the grain reserved the slot, which is after this call was queued: counted from the
        // answer (never from before the call), a caller that waited in the grain's queue does not leave before its slot.
        // Counted from before the call, a burst of callers queued behind each other all left early by their queueing
        // time and met at Meta (130429 in a broadcast's first second).
        return new PacingSlot(slot.Granted, time.GetUtcNow() + slot.Delay);
    }

    public async ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken) =>
        await grains.GetGrain<IPhoneNumberRateLimiterGrain>(phoneNumberId).PauseAsync(pause).WaitAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>No pacing at all: for tools and tests that talk to a fake Graph API without a cluster.</summary>
public sealed class UnpacedSends : IWhatsAppSendPacer
{
    public static readonly UnpacedSends Instance = new();

    public ValueTask WaitForSlotAsync(string phoneNumberId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<PacingSlot> TryReserveSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new PacingSlot(true, DateTimeOffset.MinValue));

    public ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A pacing slot: <see cref="Granted"/> to send at <see cref="At"/>, or refused with the earliest possible <see cref="At"/>.</summary>
public readonly record struct PacingSlot(bool Granted, DateTimeOffset At);
