using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.Outbound;
using Npgsql;

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

    /// <summary>
    /// No outbound message of this bot has the wamid (sent by another system, or the send's wamid is not recorded yet):
    /// the report is kept and applied if the wamid is stored within the early-status TTL.
    /// </summary>
    UnknownMessage,
}

/// <summary>An outbound message entering the outbox, recorded before the call to Meta.</summary>
/// <param name="ClientMessageId">The outbox key, chosen by the sender before the send; a retried record is a no-op.</param>
/// <param name="ExecutionId">The flow execution of a flow send; null for an API send.</param>
public sealed record OutboundRecord(
    Guid ClientMessageId,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    string MessageType,
    string? Text,
    string? PayloadJson,
    long? ExecutionId = null);

/// <summary>
/// Meta's delivery reports on the <c>messages</c> table (the outbox itself is <see cref="OutboxStore"/>'s). Every call is
/// idempotent, so a repeated webhook is harmless; each status that advances writes a <c>message_status</c> event in the
/// same statement.
/// </summary>
/// <remarks>
/// The monotonic rule is <see cref="DeliveryStatus.ShouldApply"/>, expressed over <c>status_rank</c> (the
/// <see cref="MessageDeliveryStatus"/> values; queued, sending and in_doubt are 0, "nothing reported yet"): an incoming
/// sent, delivered or read applies when the current rank is lower; failed applies only over rank 0 or sent; nothing
/// applies over failed. The condition is evaluated on the row inside the UPDATE, so concurrent reports for one message
/// serialise on its row lock and re-check against the latest version (READ COMMITTED re-evaluation): they cannot regress it.
/// <para>
/// A report whose wamid is not stored yet (it beat the send's answer) is kept in <c>early_statuses</c> and applied when
/// the sender stores the wamid; one carrying <c>biz_opaque_callback_data</c> equal to the client id of a sending or
/// in-doubt row of the bot first attaches its wamid to that row (resolving it to sent).
/// </para>
/// </remarks>
public sealed class MessageStatusWriter(Database database, BatchingStatementWriter writer)
{
    /// <summary>
    /// Applies a status webhook to the outbound message with its wamid, for the bot the webhook arrived for. Moves the
    /// status only forward (see the class remarks) and sets the status's timestamp (Meta's, else now). A <c>failed</c>
    /// keeps the first error of <see cref="StatusUpdate.Errors"/>. <see cref="StatusApplyOutcome.UnknownMessage"/>: no
    /// row has the wamid yet; the report is kept until it does (or its TTL passes).
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
        var report = new StatusReport(status.Status, status.Timestamp ?? DateTimeOffset.UtcNow, error?.Code, error?.Title, ErrorText(error));
        var callback = Guid.TryParseExact(status.CallbackData, "D", out var clientMessageId) ? clientMessageId : (Guid?)null;

        // One unit of the statement writer (shared with other webhooks' reports and the contacts' commits): an in-doubt (or
        // still sending) send of this bot named by biz_opaque_callback_data learns its wamid, then the report is applied.
        var (resolved, outcome) = await writer.ExecuteAsync(new StatusStatement(botId, status.WaMessageId, report, callback), cancellationToken).ConfigureAwait(false);
        if (resolved > 0)
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await StatusSql.ApplyEarlyAsync(connection, botId, status.WaMessageId, cancellationToken).ConfigureAwait(false);
        }

        if (outcome == StatusApplyOutcome.UnknownMessage)
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await StatusSql.KeepEarlyAsync(connection, botId, status.WaMessageId, report, cancellationToken).ConfigureAwait(false);
            // The wamid may have been stored since the apply above: its sender's own catch-up ran before this report was kept.
            if (await StatusSql.ApplyEarlyAsync(connection, botId, status.WaMessageId, cancellationToken).ConfigureAwait(false) > 0)
            {
                return StatusApplyOutcome.Applied;
            }
        }

        return outcome;
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

    /// <summary>The callback's wamid attachment (when the report names a client id) and the report, in one transaction.</summary>
    private sealed class StatusStatement(long botId, string waMessageId, StatusReport report, Guid? callback) : BatchedStatement<(long Resolved, StatusApplyOutcome Outcome)>
    {
        // The message row, named as the sender names it when the report carries its client id (the sender's own "sent" mark
        // and this report lock the same row).
        public override string? LockKey => callback is { } id ? StatementLockKeys.Message(id) : StatementLockKeys.Wamid(botId, waMessageId);

        public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands()
        {
            var apply = new NpgsqlBatchCommand(StatusSql.ApplySql);
            StatusSql.AddParameters(apply.Parameters, botId, waMessageId, report);
            if (callback is not { } id)
            {
                return [apply];
            }

            var markSent = new NpgsqlBatchCommand(StatusSql.MarkSentSql)
            {
                Parameters = { new("ClientMessageId", id), new("BotId", botId), new("WaMessageId", waMessageId) },
            };
            return [markSent, apply];
        }

        public override async ValueTask<(long Resolved, StatusApplyOutcome Outcome)> ReadAsync(BatchResults results, CancellationToken cancellationToken)
        {
            long resolved = 0;
            if (callback is not null)
            {
                resolved = await results.Reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? results.Reader.GetInt64(0) : 0;
                await results.NextAsync(cancellationToken).ConfigureAwait(false);
            }

            var outcome = await results.Reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? results.Reader.GetInt32(0) : (int)StatusApplyOutcome.UnknownMessage;
            return (resolved, (StatusApplyOutcome)outcome);
        }
    }
}
