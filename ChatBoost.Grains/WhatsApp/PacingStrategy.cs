using Polly;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// A Polly strategy in <see cref="WhatsAppCloudClient"/>'s pipeline, between the retry and the per-attempt timeout:
/// before every HTTP attempt it waits for the phone number's rate-limit slot and counts the attempt.
/// </summary>
internal sealed class PacingStrategy(IWhatsAppSendPacer pacer) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (context.GetRequestMessage() is { } request && request.Options.TryGetValue(WhatsAppCloudClient.AttemptStateKey, out var attempt))
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

            attempt.Attempts++;
        }

        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}

internal sealed class PacingStrategyOptions : ResilienceStrategyOptions
{
    public PacingStrategyOptions() => Name = "pacing";
}
