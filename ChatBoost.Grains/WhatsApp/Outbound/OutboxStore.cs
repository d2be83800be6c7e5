using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>An outbox row as the sender reads it.</summary>
public sealed record OutboxRow(OutboxState State, string? WaMessageId, int? ErrorCode, string? ErrorTitle, string? ErrorMessage);

/// <summary>
/// The outbox side of the <c>messages</c> table: one idempotent statement per transition of
/// <see cref="OutboxStateMachine"/>, each an UPDATE conditional on the states the machine allows (so a repeated or a
/// concurrent call moves a row at most once). True when the row moved.
/// </summary>
public sealed class OutboxStore(Database database, BatchingStatementWriter writer)
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

    private const string AnyEarlySql = "SELECT EXISTS (SELECT 1 FROM early_statuses WHERE bot_id = @BotId AND wa_message_id = @WaMessageId)";

    private const string RecordQueuedSql = """
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, message_type, text, payload,
                              status, status_rank, client_message_id, execution_id)
        VALUES (@BotId, @OrganizationId, @ContactWaId, 'outbound', @MessageType, @Text, CAST(@PayloadJson AS jsonb),
                'queued', 0, @ClientMessageId, @ExecutionId)
        ON CONFLICT (client_message_id) DO NOTHING
        RETURNING 1
        """;

    private static readonly string MarkSendingSql = $"""
        UPDATE messages SET status = 'sending', status_changed_at = now()
        WHERE client_message_id = @ClientMessageId AND bot_id = @BotId AND direction = 'outbound'
          AND status IN ({OutboxStateMachine.SourcesSql(OutboxState.Sending)})
        RETURNING 1
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
        RETURNING 1
        """;

    public async Task<OutboxRow?> ReadAsync(Guid clientMessageId, long botId, CancellationToken cancellationToken = default)
    {
        return await writer.ExecuteAsync(new SqlStatement<OutboxRow?>(ReadSql, p => Key(p, clientMessageId, botId), async (r, ct) =>
            await r.ReadAsync(ct).ConfigureAwait(false)
                ? new OutboxRow(OutboxStateMachine.Parse(r.GetString(0)), Nullable<string>(r, 1), r.IsDBNull(2) ? null : r.GetInt32(2),
                    Nullable<string>(r, 3), Nullable<string>(r, 4))
                : null), cancellationToken).ConfigureAwait(false);
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
        return await writer.ExecuteAsync(SqlStatement.RowCount(RecordQueuedSql, p =>
        {
            p.Add(new NpgsqlParameter<long>("BotId", record.BotId));
            p.Add(new NpgsqlParameter<long>("OrganizationId", record.OrganizationId));
            p.Add(new NpgsqlParameter<string>("ContactWaId", record.ContactWaId));
            p.Add(new NpgsqlParameter<string>("MessageType", record.MessageType));
            p.Add(Text("Text", record.Text));
            p.Add(Text("PayloadJson", record.PayloadJson));
            p.Add(new NpgsqlParameter<Guid>("ClientMessageId", record.ClientMessageId));
            p.Add(new NpgsqlParameter("ExecutionId", NpgsqlDbType.Bigint) { Value = (object?)record.ExecutionId ?? DBNull.Value });
        }, StatementLockKeys.Message(record.ClientMessageId)), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>queued → sending, just before the HTTP attempt.</summary>
    public Task<bool> MarkSendingAsync(Guid clientMessageId, long botId, CancellationToken cancellationToken = default) =>
        MoveAsync(clientMessageId, MarkSendingSql, p => Key(p, clientMessageId, botId), cancellationToken);

    /// <summary>
    /// sending | in_doubt → sent with its wamid, and its <c>message_sent</c> event in the same statement; then the
    /// statuses that arrived before the wamid are applied (see <see cref="StatusSql.ApplyEarlyAsync"/>).
    /// </summary>
    public async Task<bool> MarkSentAsync(Guid clientMessageId, long botId, string waMessageId, CancellationToken cancellationToken = default)
    {
        InboundRecord.RequireText(waMessageId, MessageColumnLimits.WaMessageId, nameof(waMessageId));
        var moved = await writer.ExecuteAsync(SqlStatement.Scalar<long>(StatusSql.MarkSentSql, p =>
        {
            Key(p, clientMessageId, botId);
            p.Add(new NpgsqlParameter<string>("WaMessageId", waMessageId));
        }, StatementLockKeys.Message(clientMessageId)), cancellationToken).ConfigureAwait(false);

        // After that commit (a later transaction, so that a report kept meanwhile is seen by one side or the other).
        if (await writer.ExecuteAsync(SqlStatement.Scalar<bool>(AnyEarlySql, p =>
            {
                p.Add(new NpgsqlParameter<long>("BotId", botId));
                p.Add(new NpgsqlParameter<string>("WaMessageId", waMessageId));
            }), cancellationToken).ConfigureAwait(false))
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await StatusSql.ApplyEarlyAsync(connection, botId, waMessageId, cancellationToken).ConfigureAwait(false);
        }

        return moved > 0;
    }

    /// <summary>sending → in_doubt: the attempt's outcome is unknown.</summary>
    public Task<bool> MarkInDoubtAsync(Guid clientMessageId, long botId, string reason, CancellationToken cancellationToken = default) =>
        MoveAsync(clientMessageId, MarkInDoubtSql, p =>
        {
            Key(p, clientMessageId, botId);
            p.Add(new NpgsqlParameter<string>("Reason", reason));
        }, cancellationToken);

    /// <summary>queued | sending | in_doubt → failed with the reason (Meta's refusal, or given up before any attempt).</summary>
    public Task<bool> MarkFailedAsync(
        Guid clientMessageId, long botId, int? errorCode, string? errorTitle, string? errorMessage, CancellationToken cancellationToken = default) =>
        MoveAsync(clientMessageId, MarkFailedSql, p =>
        {
            Key(p, clientMessageId, botId);
            p.Add(new NpgsqlParameter("ErrorCode", NpgsqlDbType.Integer) { Value = (object?)errorCode ?? DBNull.Value });
            p.Add(Text("ErrorTitle", errorTitle));
            p.Add(Text("ErrorMessage", errorMessage));
        }, cancellationToken);

    /// <summary>One conditional move through the statement writer: true when the row moved.</summary>
    private async Task<bool> MoveAsync(Guid clientMessageId, string sql, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken) =>
        await writer.ExecuteAsync(SqlStatement.RowCount(sql, parameters, StatementLockKeys.Message(clientMessageId)), cancellationToken).ConfigureAwait(false) == 1;

    private static void Key(NpgsqlParameterCollection p, Guid clientMessageId, long botId)
    {
        p.Add(new NpgsqlParameter<Guid>("ClientMessageId", clientMessageId));
        p.Add(new NpgsqlParameter<long>("BotId", botId));
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static T? Nullable<T>(NpgsqlDataReader reader, int ordinal) where T : class => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
