using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.Outbound;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts;

/// <summary>
/// The send API for one contact: WhatsApp's rules the contact knows (opt-out, the 24-hour window), then the one
/// <see cref="OutboundSender"/>. It runs interleaved with the contact's other calls (it only reads the session), so a send
/// waiting for Meta or for its pacing slot never holds the contact.
/// </summary>
internal sealed class ApiSends(ContactSession session, OutboundSender sender, IGrainFactory grains, TimeProvider time, ILogger logger)
{
    /// <summary>How long after the caller's deadline an attempt that started in time may still answer.</summary>
    public static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(1);

    public const string InDoubtAtDeadlineDetail =
        "The send was still in progress at the request's deadline; its outcome will be in the message history "
        + "(a retry with the same Idempotency-Key answers it without sending again).";

    public async Task<SendOutcome> SendAsync(SendCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (session.Contact is { OptedIn: false } && !ContactUpdates.WithinWindow(session.LastInboundAt, now))
        {
            return SendOutcome.Refused(SendStatus.OptedOut, ContactUpdates.OptedOutDetail);
        }

        var message = OutboundMapping.ToOutbound(session.WaId, command);
        // With a key the id is derived here, whatever the caller passed: the same key is the same send.
        var id = command.IdempotencyKey is { } key ? OutboundIds.ForApi(session.BotId, session.WaId, key) : command.MessageId ?? Guid.NewGuid();
        if (!message.IsTemplate && !ContactUpdates.WithinWindow(session.LastInboundAt, now))
        {
            // The bot's own problems are reported first, as for any send; nothing is recorded.
            return (await sender.CheckAsync(id, session.BotId, message))?.ToSendOutcome()
                ?? SendOutcome.Refused(SendStatus.OutsideWindow, ContactUpdates.OutsideWindowDetail);
        }

        var organizationId = session.Contact?.OrganizationId
            ?? (await grains.GetGrain<IBotCredentialsGrain>(session.BotId).GetEffectiveCredentialsAsync())?.OrganizationId ?? 0;
        var sending = sender.SendAsync(new OutboundSend(id, session.BotId, organizationId, session.WaId, message, command.NotAfter), default);
        if (command.NotAfter is { } notAfter && !await FinishesInTimeAsync(sending, notAfter + AnswerGrace))
        {
            // The attempt started by the deadline (the pacer gives no later slot) but Meta has not answered yet: the caller
            // must hear "in doubt", never a 503 for a message that may still go out. The outbox records how it ends.
            return new SendOutcome(SendStatus.InDoubt, id, null, InDoubtAtDeadlineDetail);
        }

        return (await sending).ToSendOutcome();
    }

    private async Task<bool> FinishesInTimeAsync(Task<OutboundResult> sending, DateTimeOffset answerBy)
    {
        var wait = answerBy - time.GetUtcNow();
        if (sending.IsCompleted || (wait > TimeSpan.Zero && await Task.WhenAny(sending, Task.Delay(wait, time)) == sending))
        {
            return true;
        }

        var log = logger;
        _ = sending.ContinueWith(t => log.LogWarning(t.Exception, "A send answered in doubt at its deadline then failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return false;
    }
}
