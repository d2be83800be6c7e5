using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Dapper;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>An outbox row as the sender reads it.</summary>
public sealed record OutboxRow(OutboxState State, string? WaMessageId, int? ErrorCode, string? ErrorTitle, string? ErrorMessage);

/// <summary>
/// The outbox side of the <c>messages</c> table: one idempotent statement per transition of
/// <see cref="OutboxStateMachine"/>, each an UPDATE conditional on the states the machine allows (so a repeated or a
/// concurrent call moves a row at most once). True when the row moved.
/// </summary>
public sealed class OutboxStore(Database database)
{
    /// <summary>error_title of a row given up before any attempt (reconciler) — retrying it later is safe.</summary>
    public const string AbandonedTitle = "Abandoned";

    public const string AbandonedDetail = "abandoned before any attempt";

    /// <summary>error_title of an in-doubt row; error_message holds why.</summary>
    public const string InDoubtTitle = "InDoubt";

    private const string ReadSql = """
        SELECT status, wa_message_id AS WaMessageId, error_code AS ErrorCode, error_title AS ErrorTitle, error_message AS ErrorMessage
        FROM messages WHERE client_message_id = @ClientMessageId AND bot_id = @BotId AND direction = 'outbound'
        """;

    private const string RecordQueuedSql = """
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, message_type, text, payload,
                              status, status_rank, client_message_id, execution_id)
        VALUES (@BotId, @OrganizationId, @ContactWaId, 'outbound', @MessageType, @Text, CAST(@PayloadJson AS jsonb),
                'queued', 0, @ClientMessageId, @ExecutionId)
        ON CONFLICT (client_message_id) DO NOTHING
        """;

    private static readonly string MarkSendingSql = $"""
        UPDATE messages SET status = 'sending', status_changed_at = now()
        WHERE client_message_id = @ClientMessageId AND bot_id = @BotId AND direction = 'outbound'
          AND status IN ({OutboxStateMachine.SourcesSql(OutboxState.Sending)})
        """;

    // Each with its message_status event in the same statement: the outlet counts sends in doubt and failed sends.
    private static readonly string MarkInDoubtSql = MoveWithStatusEvent(OutboxState.InDoubt,
        $"status = 'in_doubt', status_changed_at = now(), error_code = NULL, error_title = '{InDoubtTitle}', error_message = @Reason",
        "jsonb_build_object('status', 'in_doubt')");

    private static readonly string MarkFailedSql = MoveWithStatusEvent(OutboxState.Failed,
        """
        status = 'failed', status_rank = 4, failed_at = now(), status_changed_at = now(),
        error_code = @ErrorCode, error_title = @ErrorTitle, error_message = @ErrorMessage
        """,
        "jsonb_build_object('status', 'failed', 'error_code', CAST(@ErrorCode AS integer))");

    /// <summary>
    /// One statement: the row moves to <paramref name="to"/> from a state the state machine allows (<paramref name="set"/>
    /// is the SET list), and each moved row writes a <c>message_status</c> event with <paramref name="data"/>. The
    /// affected count is the events inserted, i.e. the rows moved.
    /// </summary>
    private static string MoveWithStatusEvent(OutboxState to, string set, string data) => $"""
        WITH updated AS (
            UPDATE messages SET {set}
            WHERE client_message_id = @ClientMessageId AND bot_id = @BotId AND direction = 'outbound'
              AND status IN ({OutboxStateMachine.SourcesSql(to)})
            RETURNING id, bot_id, organization_id, contact_wa_id, execution_id
        )
        INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, message_id, execution_id, occurred_at, data)
        SELECT 'message_status', u.bot_id, u.organization_id, u.contact_wa_id, u.id, u.execution_id, now(), {data}
        FROM updated u
        """;

    public async Task<OutboxRow?> ReadAsync(Guid clientMessageId, long botId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RawRow>(new CommandDefinition(
            ReadSql, new { ClientMessageId = clientMessageId, BotId = botId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new OutboxRow(OutboxStateMachine.Parse(row.Status), row.WaMessageId, row.ErrorCode, row.ErrorTitle, row.ErrorMessage);
    }

    /// <summary>Records the send as <c>queued</c>. False when a row with its client id exists already.</summary>
    public async Task<bool> RecordQueuedAsync(OutboundRecord record, CancellationToken cancellationToken = default)
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
        return await connection.ExecuteAsync(new CommandDefinition(RecordQueuedSql, record, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>queued → sending, just before the HTTP attempt.</summary>
    public Task<bool> MarkSendingAsync(Guid clientMessageId, long botId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(MarkSendingSql, new { ClientMessageId = clientMessageId, BotId = botId }, cancellationToken);

    /// <summary>
    /// sending | in_doubt → sent with its wamid, and its <c>message_sent</c> event in the same statement; then the
    /// statuses that arrived before the wamid are applied (see <see cref="StatusSql.ApplyEarlyAsync"/>).
    /// </summary>
    public async Task<bool> MarkSentAsync(Guid clientMessageId, long botId, string waMessageId, CancellationToken cancellationToken = default)
    {
        InboundRecord.RequireText(waMessageId, MessageColumnLimits.WaMessageId, nameof(waMessageId));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var moved = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            StatusSql.MarkSentSql, new { ClientMessageId = clientMessageId, BotId = botId, WaMessageId = waMessageId },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await StatusSql.ApplyEarlyAsync(connection, botId, waMessageId, cancellationToken).ConfigureAwait(false);
        return moved > 0;
    }

    /// <summary>sending → in_doubt: the attempt's outcome is unknown.</summary>
    public Task<bool> MarkInDoubtAsync(Guid clientMessageId, long botId, string reason, CancellationToken cancellationToken = default) =>
        ExecuteAsync(MarkInDoubtSql, new { ClientMessageId = clientMessageId, BotId = botId, Reason = reason }, cancellationToken);

    /// <summary>queued | sending | in_doubt → failed with the reason (Meta's refusal, or given up before any attempt).</summary>
    public Task<bool> MarkFailedAsync(
        Guid clientMessageId, long botId, int? errorCode, string? errorTitle, string? errorMessage, CancellationToken cancellationToken = default) =>
        ExecuteAsync(MarkFailedSql,
            new { ClientMessageId = clientMessageId, BotId = botId, ErrorCode = errorCode, ErrorTitle = errorTitle, ErrorMessage = errorMessage },
            cancellationToken);

    private async Task<bool> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    private sealed class RawRow
    {
        public string Status { get; init; } = "";

        public string? WaMessageId { get; init; }

        public int? ErrorCode { get; init; }

        public string? ErrorTitle { get; init; }

        public string? ErrorMessage { get; init; }
    }
}
