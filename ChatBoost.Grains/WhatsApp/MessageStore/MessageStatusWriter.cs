using ChatBoost.Grains.Infrastructure;
using Dapper;

namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>What <see cref="MessageStatusWriter.ApplyStatusAsync"/> did.</summary>
public enum StatusApplyOutcome
{
    /// <summary>The message's status moved forward to the reported one.</summary>
    Applied,

    /// <summary>
    /// The message exists but the report is late, repeated or contradicts a later state, so the status did not move
    /// (a late <c>sent</c>/<c>delivered</c> may still fill its own timestamp if it was missing).
    /// </summary>
    NotApplied,

    /// <summary>No outbound message of this bot has the wamid (sent by another system, or the send's wamid is not recorded yet).</summary>
    UnknownMessage,
}

/// <summary>An outbound message entering the outbox, recorded before the call to Meta.</summary>
/// <param name="ClientMessageId">The outbox key, chosen by the sender before the send; a retried record is a no-op.</param>
public sealed record OutboundRecord(
    Guid ClientMessageId,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    string MessageType,
    string? Text,
    string? PayloadJson);

/// <summary>
/// The status side of the <c>messages</c> table: the outbox (queued → sent | failed) and Meta's delivery reports.
/// Every method is one idempotent statement, so a retried call or a repeated webhook is harmless.
/// </summary>
/// <remarks>
/// The monotonic rule is <see cref="DeliveryStatus.ShouldApply"/>, expressed over <c>status_rank</c> (the
/// <see cref="MessageDeliveryStatus"/> values; queued is 0, "nothing reported yet"): an incoming sent, delivered or
/// read applies when the current rank is lower; failed applies only over queued or sent; nothing applies over failed.
/// The condition is evaluated on the row inside the UPDATE, so concurrent reports for one message serialise on its row
/// lock and re-check against the latest version (READ COMMITTED re-evaluation): they cannot regress it.
/// </remarks>
public sealed class MessageStatusWriter(Database database)
{
    private const string Advances = "(CASE WHEN @Rank = 4 THEN m.status_rank <= 1 ELSE m.status_rank < @Rank END)";

    private const string ApplyStatusSql = $"""
        WITH updated AS (
            UPDATE messages AS m SET
                status        = CASE WHEN {Advances} THEN @Status ELSE m.status END,
                status_rank   = CASE WHEN {Advances} THEN @Rank ELSE m.status_rank END,
                sent_at       = CASE WHEN @Rank = 1 THEN coalesce(m.sent_at, @At) ELSE m.sent_at END,
                delivered_at  = CASE WHEN @Rank = 2 THEN coalesce(m.delivered_at, @At) ELSE m.delivered_at END,
                read_at       = CASE WHEN @Rank = 3 THEN coalesce(m.read_at, @At) ELSE m.read_at END,
                failed_at     = CASE WHEN @Rank = 4 AND {Advances} THEN @At ELSE m.failed_at END,
                error_code    = CASE WHEN @Rank = 4 AND {Advances} THEN @ErrorCode ELSE m.error_code END,
                error_title   = CASE WHEN @Rank = 4 AND {Advances} THEN @ErrorTitle ELSE m.error_title END,
                error_message = CASE WHEN @Rank = 4 AND {Advances} THEN @ErrorMessage ELSE m.error_message END
            WHERE m.bot_id = @BotId AND m.wa_message_id = @WaMessageId AND m.direction = 'outbound'
              AND ({Advances}
                   -- a late report of an earlier stage fills that stage's time (rank stays above @Rank, so
                   -- "status_rank = @Rank" after the update means exactly "advanced")
                   OR (@Rank <> 4 AND m.status_rank <> 4 AND m.status_rank > @Rank
                       AND CASE @Rank WHEN 1 THEN m.sent_at IS NULL WHEN 2 THEN m.delivered_at IS NULL ELSE m.read_at IS NULL END))
            RETURNING m.status_rank = @Rank AS advanced
        )
        SELECT CASE
                   WHEN EXISTS (SELECT 1 FROM updated WHERE advanced) THEN 0
                   WHEN EXISTS (SELECT 1 FROM messages
                                WHERE bot_id = @BotId AND wa_message_id = @WaMessageId AND direction = 'outbound') THEN 1
                   ELSE 2
               END
        """;

    private const string RecordQueuedSql = """
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, message_type, text, payload,
                              status, status_rank, client_message_id)
        VALUES (@BotId, @OrganizationId, @ContactWaId, 'outbound', @MessageType, @Text, CAST(@PayloadJson AS jsonb),
                'queued', 0, @ClientMessageId)
        ON CONFLICT (client_message_id) DO NOTHING
        """;

    // Only from queued: a repeated call, or one after a failure was recorded, changes nothing.
    private const string MarkSentSql = """
        UPDATE messages
        SET wa_message_id = @WaMessageId, status = 'sent', status_rank = 1, sent_at = coalesce(sent_at, now())
        WHERE client_message_id = @ClientMessageId AND direction = 'outbound' AND status_rank = 0
        """;

    private const string MarkFailedSql = """
        UPDATE messages
        SET status = 'failed', status_rank = 4, failed_at = now(),
            error_code = @ErrorCode, error_title = @ErrorTitle, error_message = @ErrorMessage
        WHERE client_message_id = @ClientMessageId AND direction = 'outbound' AND status_rank = 0
        """;

    /// <summary>
    /// Applies a status webhook to the outbound message with its wamid, for the bot the webhook arrived for. One statement;
    /// moves the status only forward (see the class remarks) and sets the status's timestamp (Meta's, else now).
    /// A <c>failed</c> keeps the first error of <see cref="StatusUpdate.Errors"/>.
    /// </summary>
    public async Task<StatusApplyOutcome> ApplyStatusAsync(long botId, StatusUpdate status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        InboundRecord.RequireText(status.WaMessageId, MessageColumnLimits.WaMessageId, nameof(status.WaMessageId));
        if (status.Status == MessageDeliveryStatus.Unknown)
        {
            // DeliveryStatus.ShouldApply never applies an unknown status; nothing to ask the database.
            return StatusApplyOutcome.NotApplied;
        }

        var error = status.Errors.Count > 0 ? status.Errors[0] : null;
        var at = (status.Timestamp ?? DateTimeOffset.UtcNow).ToUniversalTime();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ApplyStatusSql,
            new
            {
                BotId = botId,
                status.WaMessageId,
                Status = StatusName(status.Status),
                Rank = (short)status.Status,
                At = at,
                ErrorCode = error?.Code,
                ErrorTitle = error?.Title,
                ErrorMessage = ErrorText(error),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (StatusApplyOutcome)outcome;
    }

    /// <summary>Records an outbound message as <c>queued</c> before it is sent. False when it was already recorded.</summary>
    public async Task<bool> RecordOutboundQueuedAsync(OutboundRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(record.BotId);
        if (record.ClientMessageId == Guid.Empty)
        {
            throw new ArgumentException("The outbox key must be set before the send.", nameof(record));
        }

        InboundRecord.RequireText(record.ContactWaId, MessageColumnLimits.ContactWaId, nameof(record.ContactWaId));
        InboundRecord.RequireText(record.MessageType, MessageColumnLimits.MessageType, nameof(record.MessageType));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ExecuteAsync(new CommandDefinition(RecordQueuedSql, record, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Meta accepted the send: queued → sent with its wamid. False when it was not queued (repeat, or already failed).</summary>
    public async Task<bool> MarkOutboundSentAsync(Guid clientMessageId, string waMessageId, CancellationToken cancellationToken = default)
    {
        InboundRecord.RequireText(waMessageId, MessageColumnLimits.WaMessageId, nameof(waMessageId));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            MarkSentSql,
            new { ClientMessageId = clientMessageId, WaMessageId = waMessageId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>The send was refused or gave up: queued → failed with the reason. False when it was not queued.</summary>
    public async Task<bool> MarkOutboundFailedAsync(
        Guid clientMessageId,
        int? errorCode,
        string? errorTitle,
        string? errorMessage,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            MarkFailedSql,
            new { ClientMessageId = clientMessageId, ErrorCode = errorCode, ErrorTitle = errorTitle, ErrorMessage = errorMessage },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>The stored name of a delivery status (the <c>status</c> column).</summary>
    public static string StatusName(MessageDeliveryStatus status) => status switch
    {
        MessageDeliveryStatus.Sent => "sent",
        MessageDeliveryStatus.Delivered => "delivered",
        MessageDeliveryStatus.Read => "read",
        MessageDeliveryStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a status to store."),
    };

    /// <summary>Meta's message, with error_data.details appended when it adds something.</summary>
    private static string? ErrorText(StatusError? error)
    {
        if (error is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(error.Details) || string.Equals(error.Details, error.Message, StringComparison.Ordinal))
        {
            return error.Message;
        }

        return string.IsNullOrEmpty(error.Message) ? error.Details : $"{error.Message} ({error.Details})";
    }
}
