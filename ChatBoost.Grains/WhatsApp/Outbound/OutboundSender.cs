using ChatBoost.Telemetry;
using System.Globalization;
using ChatBoost.Grains.Bots;
using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>
/// The one way a message leaves: idempotent by <see cref="OutboundSend.ClientMessageId"/>. It moves the send's outbox
/// row through <see cref="OutboxStateMachine"/> — record <c>queued</c>, take a pacing slot no later than the deadline,
/// mark <c>sending</c> before the HTTP attempt, then <c>sent</c> | <c>failed</c> | <c>in_doubt</c> — and answers a
/// repeated call from the row, without a second HTTP call. A row found <c>sending</c> was in flight when its caller
/// died: it becomes in doubt and is never resent.
/// </summary>
/// <remarks>
/// A singleton; it holds no per-send state, so any number of sends run at once (each row's conditional UPDATEs keep two
/// calls with one id from both attempting). Tokens never reach a log line: only the client sees them.
/// </remarks>
public sealed class OutboundSender(
    Database database,
    BatchingStatementWriter writer,
    WhatsAppCloudClient whatsApp,
    IGrainFactory grains,
    IWhatsAppSendPacer pacer,
    IOptions<OutboundOptions> options,
    TimeProvider time,
    ChatBoostMetrics metrics,
    ILogger<OutboundSender> logger)
{
    public const string LostInFlightReason = "the attempt was in flight when its caller stopped";

    public const string ConcurrentReason = "another call is sending this message right now";

    /// <summary>How long before its pacing slot a send is marked <c>sending</c>.</summary>
    internal static readonly TimeSpan MarkSendingLead = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How late after its slot a send may still leave. N+1 sends paced at R/s span N/R seconds less this lateness, so with
    /// the rate configured at least 5% under Meta's limit (docs: WHATSAPP_RATE_PER_SECOND) no second at Meta holds more
    /// than the limit.
    /// </summary>
    internal static readonly TimeSpan LateDepartureTolerance = TimeSpan.FromMilliseconds(50);

    private const int MaxSlotRetakes = 3;

    /// <summary>How soon a send whose row was found missing or still queued after a failed move is tried again.</summary>
    internal static readonly TimeSpan LostMoveRetry = TimeSpan.FromSeconds(1);

    private readonly OutboxStore _outbox = new(database, writer);

    /// <summary>The deadline of a flow send's pacing slot: now + <see cref="OutboundOptions.FlowSlotWait"/>.</summary>
    public DateTimeOffset FlowNotAfter() => time.GetUtcNow() + options.Value.FlowSlotWait;

    public async Task<OutboundResult> SendAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var id = send.ClientMessageId;
        var row = await _outbox.ReadAsync(id, send.BotId, cancellationToken).ConfigureAwait(false);
        switch (OutboxStateMachine.OnStart(row?.State ?? OutboxState.Absent))
        {
            case OutboxStartAction.ReturnRecorded:
                return FromRow(id, row!);
            case OutboxStartAction.MarkInDoubt:
                if (await _outbox.MarkInDoubtAsync(id, send.BotId, LostInFlightReason, cancellationToken).ConfigureAwait(false))
                {
                    logger.LogWarning("Send {ClientMessageId} of bot {BotId} was found sending: in doubt, not resent", id, send.BotId);
                    metrics.SendFinished(SendOutcomes.InDoubt);
                    return new OutboundResult.InDoubt(id, LostInFlightReason);
                }

                return await ReadBackAsync(send, cancellationToken).ConfigureAwait(false);
        }

        var (refusal, credentials, bot) = await CheckAsync(send.BotId, send.Message).ConfigureAwait(false);
        if (refusal is not null)
        {
            metrics.SendFinished(SendOutcomes.Refused);
            return new OutboundResult.Refused(id, refusal.Value.Status, refusal.Value.Detail);
        }

        var message = send.Message with { CallbackData = id.ToString("D") };
        if (row is null)
        {
            await _outbox.RecordQueuedAsync(new OutboundRecord(
                id, send.BotId, send.OrganizationId, send.ContactWaId, OutboundMapping.MessageType(message), OutboundMapping.Text(message),
                GraphMessageBodies.Build(message), send.ExecutionId), cancellationToken).ConfigureAwait(false);
        }

        PacingSlot slot;
        try
        {
            slot = await pacer.TryReserveSlotAsync(credentials!.PhoneNumberId, send.NotAfter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The rate limiter could not be asked: nothing attempted, the row stays queued; like a refused slot, soon.
            logger.LogWarning(e, "Send {ClientMessageId} of bot {BotId}: no pacing slot (the rate limiter failed); not attempted", id, send.BotId);
            slot = new PacingSlot(false, time.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        if (!slot.Granted)
        {
            metrics.SendFinished(SendOutcomes.Throttled);
            return new OutboundResult.Throttled(id, slot.At);
        }

        // The row stays queued (never attempted: sent again after a crash) while the slot is far; it is marked sending just
        // before the slot (MarkSendingLead), so the bookkeeping's latency does not shift the departure, and only a crash in
        // those last milliseconds leaves a send in doubt that never left.
        if (slot.At - MarkSendingLead - time.GetUtcNow() is { Ticks: > 0 } far)
        {
            await Task.Delay(far, time, CancellationToken.None).ConfigureAwait(false);
        }

        if (!await _outbox.MarkSendingAsync(id, send.BotId, cancellationToken).ConfigureAwait(false))
        {
            return await ReadBackAsync(send, cancellationToken).ConfigureAwait(false);
        }

        await DepartOnTimeAsync(credentials!.PhoneNumberId, slot.At, send.NotAfter, cancellationToken).ConfigureAwait(false);

        // From here the row says "sending": the outcome is recorded whatever the caller does.
        SendResult result;
        try
        {
            result = await whatsApp.SendAsync(credentials!, message, firstSlotHeld: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client rethrows only when nothing was in flight: surely not sent.
            await RecordAsync(id, send.BotId, () => _outbox.MarkFailedAsync(id, send.BotId, null, "Cancelled", "cancelled before the attempt", CancellationToken.None)).ConfigureAwait(false);
            throw;
        }

        return await RecordOutcomeAsync(send, bot, result).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the slot. A send that wakes later than <see cref="LateDepartureTolerance"/> after its slot (a slow
    /// bookkeeping write, a stalled thread pool) would leave on top of the next slots and meet them at Meta: it takes a
    /// new slot instead, a few times at most, while one is granted before its deadline (else it leaves late, as before).
    /// </summary>
    private async Task DepartOnTimeAsync(string phoneNumberId, DateTimeOffset at, DateTimeOffset? notAfter, CancellationToken cancellationToken)
    {
        for (var retake = 0; ; retake++)
        {
            if (at - time.GetUtcNow() is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait, time, CancellationToken.None).ConfigureAwait(false);
            }

            if (time.GetUtcNow() - at <= LateDepartureTolerance || retake == MaxSlotRetakes)
            {
                return;
            }

            PacingSlot again;
            try
            {
                again = await pacer.TryReserveSlotAsync(phoneNumberId, notAfter, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return; // the rate limiter could not be asked: leave now, late
            }

            if (!again.Granted)
            {
                return;
            }

            metrics.SendSlotRetaken();
            at = again.At;
        }
    }

    /// <summary>
    /// The checks before anything is recorded, in the order the API reports them: the bot exists, is WhatsApp-enabled,
    /// its credentials are not marked invalid and are complete, and the message fits Meta's limits. Null when it may be sent.
    /// </summary>
    public async Task<OutboundResult.Refused?> CheckAsync(Guid clientMessageId, long botId, OutboundMessage message)
    {
        var (refusal, _, _) = await CheckAsync(botId, message).ConfigureAwait(false);
        return refusal is { } r ? new OutboundResult.Refused(clientMessageId, r.Status, r.Detail) : null;
    }

    private async Task<((SendStatus Status, string Detail)? Refusal, WhatsAppCredentials? Credentials, IBotCredentialsGrain Bot)> CheckAsync(
        long botId, OutboundMessage message)
    {
        var bot = grains.GetGrain<IBotCredentialsGrain>(botId);
        if (await bot.GetEffectiveCredentialsAsync().ConfigureAwait(false) is not { } credentials)
        {
            return ((SendStatus.BotNotFound, "Bot not found."), null, bot);
        }

        if (!credentials.IsWhatsappEnabled)
        {
            return ((SendStatus.BotCannotSend, "The bot is not WhatsApp-enabled: set is_whatsapp_enabled to true first."), null, bot);
        }

        if (credentials.CredentialsInvalid)
        {
            return ((SendStatus.BotCannotSend,
                $"The bot's WhatsApp credentials are invalid — update the access token ({credentials.CredentialsInvalidReason})."), null, bot);
        }

        if (WhatsAppCredentials.From(credentials) is not { } whatsAppCredentials)
        {
            return ((SendStatus.BotCannotSend,
                "The bot has no WhatsApp phone number id or access token (neither its own nor the environment's WHATSAPP_* defaults)."), null, bot);
        }

        if (GraphMessageBodies.Validate(message) is { Count: > 0 } problems)
        {
            return ((SendStatus.Invalid, string.Join(" ", problems)), null, bot);
        }

        return (null, whatsAppCredentials, bot);
    }

    private async Task<OutboundResult> RecordOutcomeAsync(OutboundSend send, IBotCredentialsGrain bot, SendResult result)
    {
        var id = send.ClientMessageId;
        switch (OutboxStateMachine.After(result))
        {
            case OutboxState.Sent:
                // Meta has it: whatever happens to the bookkeeping, the caller must hear "sent", or it would send it again.
                await RecordAsync(id, send.BotId, () => _outbox.MarkSentAsync(id, send.BotId, result.WaMessageId!, CancellationToken.None)).ConfigureAwait(false);
                metrics.SendFinished(SendOutcomes.Sent);
                return new OutboundResult.Sent(id, result.WaMessageId!);
            case OutboxState.InDoubt:
                await RecordAsync(id, send.BotId, () => _outbox.MarkInDoubtAsync(id, send.BotId, result.InDoubtReason!, CancellationToken.None)).ConfigureAwait(false);
                logger.LogWarning("Send {ClientMessageId} of bot {BotId} is in doubt after {Attempts} attempt(s): {Reason}; not resent",
                    id, send.BotId, result.Attempts, result.InDoubtReason);
                metrics.SendFinished(SendOutcomes.InDoubt);
                return new OutboundResult.InDoubt(id, result.InDoubtReason!);
        }

        var failure = result.Failure!;
        await RecordAsync(id, send.BotId,
            () => _outbox.MarkFailedAsync(id, send.BotId, failure.Code, failure.Kind.ToString(), failure.Message, CancellationToken.None)).ConfigureAwait(false);
        if (failure.Kind == GraphErrorKind.TokenExpired)
        {
            await bot.MarkCredentialsInvalidAsync($"Meta error {failure.Code?.ToString(CultureInfo.InvariantCulture) ?? "?"}: {failure.Message}").ConfigureAwait(false);
        }

        metrics.SendFinished(SendOutcomes.Failed);
        logger.LogInformation("Send {ClientMessageId} of bot {BotId} failed after {Attempts} attempt(s): {Kind} {Code}",
            id, send.BotId, result.Attempts, failure.Kind, failure.Code);
        return Failed(id, failure.Code, failure.Kind, failure.Message, failure.RetryAfter);
    }

    private static OutboundResult.Failed Failed(Guid id, int? code, GraphErrorKind kind, string metaMessage, TimeSpan? retryAfter, bool retryable = false)
    {
        retryable |= GraphErrorClassifier.ShouldRetry(kind);
        var detail = retryable
            ? OutboundResult.RetryableFailedDetail
            : kind == GraphErrorKind.TokenExpired
                ? "WhatsApp rejected the bot's access token; the bot's credentials are now marked invalid — update the access token."
                : $"WhatsApp refused the message ({kind}).";
        return new OutboundResult.Failed(id, code, kind, detail, metaMessage, retryable,
            retryAfter is { } after ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : null);
    }

    /// <summary>The answer an earlier call recorded.</summary>
    private static OutboundResult FromRow(Guid id, OutboxRow row) => row switch
    {
        { WaMessageId: { } wamid } => new OutboundResult.Sent(id, wamid), // delivered, read, or failed after Meta accepted it
        { State: OutboxState.InDoubt } => new OutboundResult.InDoubt(id, row.ErrorMessage ?? LostInFlightReason),
        { State: OutboxState.Sending } => new OutboundResult.InDoubt(id, ConcurrentReason),
        _ => Failed(id, row.ErrorCode, Enum.TryParse<GraphErrorKind>(row.ErrorTitle, out var kind) ? kind : GraphErrorKind.Unknown,
            row.ErrorMessage ?? "", null, retryable: row.ErrorTitle is OutboxStore.AbandonedTitle or "Cancelled"),
    };

    /// <summary>
    /// A conditional UPDATE found the row elsewhere: answer from what it is now. A row that is missing or still queued was
    /// never attempted by anyone (every attempt is recorded <c>sending</c> first), so it is not in doubt: the caller is told
    /// to try again shortly, and a flow step does (its retry records the row anew). Only a row that is or was
    /// <c>sending</c> can answer "in doubt", so an execution never goes on past a send that has no row of its own.
    /// </summary>
    private async Task<OutboundResult> ReadBackAsync(OutboundSend send, CancellationToken cancellationToken)
    {
        var row = await _outbox.ReadAsync(send.ClientMessageId, send.BotId, cancellationToken).ConfigureAwait(false);
        if (OutboxStateMachine.OnStart(row?.State ?? OutboxState.Absent) == OutboxStartAction.Attempt)
        {
            logger.LogWarning("Send {ClientMessageId} of bot {BotId}: its row was {State} when it was to be marked sending; not attempted, tried again",
                send.ClientMessageId, send.BotId, row is null ? "missing" : "still queued");
            metrics.SendFinished(SendOutcomes.Throttled);
            return new OutboundResult.Throttled(send.ClientMessageId, time.GetUtcNow() + LostMoveRetry);
        }

        return FromRow(send.ClientMessageId, row!);
    }

    /// <summary>
    /// Records the attempt's outcome. A failure here (database unavailable) leaves the row <c>sending</c>, which the
    /// reconciler turns into <c>in_doubt</c>; it does not change what Meta did, and is logged.
    /// </summary>
    private async Task RecordAsync(Guid id, long botId, Func<Task<bool>> mark)
    {
        try
        {
            await mark().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Send {ClientMessageId} of bot {BotId}: the outcome could not be recorded; the row stays sending", id, botId);
        }
    }
}
