using Polly;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// A Polly strategy in <see cref="WhatsAppCloudClient"/>'s pipeline, between the retry and the per-attempt timeout:
/// before every HTTP attempt it waits for the phone number's rate-limit slot, counts the attempt and records whether
/// it is in flight and whether it ended in a way after which Meta may have the message (the client's in-doubt rule).
/// </summary>
internal sealed class PacingStrategy(IWhatsAppSendPacer pacer) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (context.GetRequestMessage() is not { } request || !request.Options.TryGetValue(WhatsAppCloudClient.AttemptStateKey, out var attempt))
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        // The first attempt's slot may already be the caller's (OutboundSender takes it to refuse a send it cannot start in time).
        if (!(attempt.FirstSlotHeld && attempt.Attempts == 0))
        {
            try
            {
                await pacer.WaitForSlotAsync(attempt.PhoneNumberId, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            }
            catch (Exception e)
            {
                // Not a transport failure: the retry predicate does not retry it, and the client reports it.
                return Outcome.FromException<HttpResponseMessage>(e);
            }
        }

        attempt.Attempts++;
        attempt.InFlight = true;
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        attempt.InFlight = false;
        attempt.LastAttemptUncertain = outcome.Exception is { } exception && !WhatsAppCloudClient.SurelyNotSent(exception);
        return outcome;
    }
}

internal sealed class PacingStrategyOptions : ResilienceStrategyOptions
{
    public PacingStrategyOptions() => Name = "pacing";
}
