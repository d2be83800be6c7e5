using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>
/// The one way out, for the send API and for flows: the bot's credentials, Meta's limits, the outbox row (before the
/// call), the call through <see cref="WhatsAppCloudClient"/>, the outcome recorded. Runs off any grain's turn.
/// </summary>
public sealed class OutboundSender(
    IGrainFactory grains,
    WhatsAppCloudClient whatsApp,
    MessageStatusWriter outbox,
    TimeProvider time,
    ILogger<OutboundSender> logger)
{
    private const string DeadlineDetail = "The send could not start before the request's deadline (the number's rate limit or this contact's earlier sends); it was not sent. Try again.";

    public async Task<OutboundResult> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var id = send.ClientMessageId;
        var bot = grains.GetGrain<IBotCredentialsGrain>(send.BotId);
        if (await bot.GetEffectiveCredentialsAsync() is not { } credentials)
        {
            return new OutboundResult.Refused(id, SendStatus.BotNotFound, "Bot not found.");
        }

        if (!credentials.IsWhatsappEnabled)
        {
            return new OutboundResult.Refused(id, SendStatus.BotCannotSend, "The bot is not WhatsApp-enabled: set is_whatsapp_enabled to true first.");
        }

        if (credentials.CredentialsInvalid)
        {
            return new OutboundResult.Refused(id, SendStatus.BotCannotSend,
                $"The bot's WhatsApp credentials are invalid — update the access token ({credentials.CredentialsInvalidReason}).");
        }

        if (WhatsAppCredentials.From(credentials) is not { } account)
        {
            return new OutboundResult.Refused(id, SendStatus.BotCannotSend,
                "The bot has no WhatsApp phone number id or access token (neither its own nor the environment's WHATSAPP_* defaults).");
        }

        if (GraphMessageBodies.Validate(send.Message) is { Count: > 0 } problems)
        {
            return new OutboundResult.Refused(id, SendStatus.Invalid, string.Join(" ", problems));
        }

        var remaining = send.NotAfter is { } deadlineAt ? deadlineAt - time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (send.NotAfter is not null && remaining <= TimeSpan.Zero)
        {
            return new OutboundResult.Throttled(id, time.GetUtcNow());
        }

        await outbox.RecordOutboundQueuedAsync(new OutboundRecord(
            id, send.BotId, credentials.OrganizationId, send.ContactWaId, OutboundMapping.MessageType(send.Message), OutboundMapping.Text(send.Message),
            GraphMessageBodies.Build(send.Message)), cancellationToken);

        SendResult result;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(remaining);
            try
            {
                result = await whatsApp.SendAsync(account, send.Message, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await TryMarkAsync(id, () => outbox.MarkOutboundFailedAsync(id, null, "DeadlineExceeded", DeadlineDetail));
                return new OutboundResult.Failed(id, null, GraphErrorKind.Unknown, DeadlineDetail, null, true, null);
            }
        }

        if (result.IsSuccess)
        {
            await TryMarkAsync(id, () => outbox.MarkOutboundSentAsync(id, result.WaMessageId!));
            return new OutboundResult.Sent(id, result.WaMessageId!);
        }

        var failure = result.Failure!;
        await TryMarkAsync(id, () => outbox.MarkOutboundFailedAsync(id, failure.Code, failure.Kind.ToString(), failure.Message));
        if (failure.Kind == GraphErrorKind.TokenExpired)
        {
            await bot.MarkCredentialsInvalidAsync($"Meta error {failure.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: {failure.Message}");
        }

        logger.LogInformation("Send {MessageId} of bot {BotId} failed after {Attempts} attempt(s): {Kind} {Code}", id, send.BotId, result.Attempts, failure.Kind, failure.Code);
        var detail = failure.Retryable
            ? "WhatsApp did not accept the message after retries; try again later."
            : failure.Kind == GraphErrorKind.TokenExpired
                ? "WhatsApp rejected the bot's access token; the bot's credentials are now marked invalid — update the access token."
                : $"WhatsApp refused the message ({failure.Kind}).";
        return new OutboundResult.Failed(id, failure.Code, failure.Kind, detail, failure.Message, failure.Retryable,
            failure.RetryAfter is { } after ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : null);
    }

    private async Task TryMarkAsync(Guid messageId, Func<Task<bool>> mark)
    {
        try
        {
            await mark();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Send {MessageId}: the outcome could not be recorded; the message stays queued", messageId);
        }
    }
}

/// <summary>The send API's view of an <see cref="OutboundResult"/>.</summary>
public static class OutboundResults
{
    public static SendOutcome ToSendOutcome(this OutboundResult result) => result switch
    {
        OutboundResult.Sent s => new SendOutcome(SendStatus.Sent, s.ClientMessageId, s.WaMessageId, null),
        OutboundResult.Refused r => SendOutcome.Refused(r.Status, r.Detail),
        OutboundResult.Throttled t => new SendOutcome(SendStatus.MetaUnavailable, null, null,
            "The send could not start before the request's deadline (the number's rate limit); it was not sent. Try again."),
        OutboundResult.InDoubt d => new SendOutcome(SendStatus.MetaUnavailable, d.ClientMessageId, null, d.Reason),
        OutboundResult.Failed f => new SendOutcome(f.Retryable ? SendStatus.MetaUnavailable : SendStatus.MetaRejected, f.ClientMessageId, null,
            f.Detail, f.Code, f.MetaMessage, f.RetryAfterSeconds),
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };
}
