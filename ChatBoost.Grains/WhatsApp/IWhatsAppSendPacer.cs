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
    /// Takes a slot only if it starts no later than <paramref name="notAfter"/> (null: any slot) and waits for it:
    /// null when the caller may send now; otherwise nothing was reserved and the answer is the earliest time a slot
    /// could have started.
    /// </summary>
    ValueTask<DateTimeOffset?> TryWaitForSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken);

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

    public async ValueTask<DateTimeOffset?> TryWaitForSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        if (notAfter is null)
        {
            await WaitForSlotAsync(phoneNumberId, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var now = time.GetUtcNow();
        var maxWait = notAfter.Value - now;
        if (maxWait < TimeSpan.Zero)
        {
            // The deadline passed while the send waited (behind the contact's earlier sends): its caller has given up.
            return now;
        }

        var slot = await grains.GetGrain<IPhoneNumberRateLimiterGrain>(phoneNumberId).TryAcquireAsync(maxWait).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!slot.Granted)
        {
            return now + slot.Delay;
        }

        if (slot.Delay > TimeSpan.Zero)
        {
            await Task.Delay(slot.Delay, time, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    public async ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken) =>
        await grains.GetGrain<IPhoneNumberRateLimiterGrain>(phoneNumberId).PauseAsync(pause).WaitAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>No pacing at all: for tools and tests that talk to a fake Graph API without a cluster.</summary>
public sealed class UnpacedSends : IWhatsAppSendPacer
{
    public static readonly UnpacedSends Instance = new();

    public ValueTask WaitForSlotAsync(string phoneNumberId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<DateTimeOffset?> TryWaitForSlotAsync(string phoneNumberId, DateTimeOffset? notAfter, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DateTimeOffset?>(null);

    public ValueTask ReportThrottledAsync(string phoneNumberId, TimeSpan pause, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
