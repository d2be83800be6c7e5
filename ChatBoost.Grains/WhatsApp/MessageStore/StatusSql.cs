using ChatBoost.Grains.WhatsApp.Outbound;
using Dapper;
using Npgsql;

namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>One delivery report to apply: a status webhook's, or one kept because it came before its wamid was stored.</summary>
public sealed record StatusReport(MessageDeliveryStatus Status, DateTimeOffset At, int? ErrorCode, string? ErrorTitle, string? ErrorMessage);

/// <summary>
/// The SQL of delivery reports, shared by <see cref="MessageStatusWriter"/> (webhooks) and <see cref="OutboxStore"/> (the
/// sender, which applies the early reports of a wamid when it stores it). Each statement takes the caller's connection
/// and transaction.
/// </summary>
internal static class StatusSql
{
    private const string Advances = "(CASE WHEN @Rank = 4 THEN m.status_rank <= 1 ELSE m.status_rank < @Rank END)";

    // The UPDATE moves the status forward (see MessageStatusWriter's remarks); the second CTE writes a message_status event
    // for a status that advanced, in the same statement, so the event exists exactly when the change committed.
    public const string ApplySql = $"""
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
            RETURNING m.id, m.bot_id, m.organization_id, m.contact_wa_id, m.execution_id, m.status_rank = @Rank AS advanced
        ),
        event AS (
            INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, message_id, execution_id, occurred_at, data)
            SELECT 'message_status', u.bot_id, u.organization_id, u.contact_wa_id, u.id, u.execution_id, @At,
                   jsonb_build_object('status', CAST(@Status AS text),
                                      'error_code', CASE WHEN @Rank = 4 THEN CAST(@ErrorCode AS integer) END)
            FROM updated u WHERE u.advanced
        )
        SELECT CASE
                   WHEN EXISTS (SELECT 1 FROM updated WHERE advanced) THEN 0
                   WHEN EXISTS (SELECT 1 FROM messages
                                WHERE bot_id = @BotId AND wa_message_id = @WaMessageId AND direction = 'outbound') THEN 1
                   ELSE 2
               END
        """;

    private const string KeepEarlySql = """
        INSERT INTO early_statuses (bot_id, wa_message_id, status, status_rank, occurred_at, error_code, error_title, error_message)
        VALUES (@BotId, @WaMessageId, @Status, @Rank, @At, @ErrorCode, @ErrorTitle, @ErrorMessage)
        """;

    // Only once the wamid is stored: the reports leave the table in the transaction that applies them.
    private const string TakeEarlySql = """
        DELETE FROM early_statuses e
        WHERE e.bot_id = @BotId AND e.wa_message_id = @WaMessageId
          AND EXISTS (SELECT 1 FROM messages m WHERE m.bot_id = @BotId AND m.wa_message_id = @WaMessageId AND m.direction = 'outbound')
        RETURNING e.status_rank AS Rank, e.occurred_at AS At, e.error_code AS ErrorCode, e.error_title AS ErrorTitle,
                  e.error_message AS ErrorMessage
        """;

    /// <summary>
    /// Stores the wamid of an outbound row found by its client id (the sender's answer, or a status webhook's
    /// <c>biz_opaque_callback_data</c>) and writes its <c>message_sent</c> event, in one statement. From the states
    /// <see cref="OutboxStateMachine"/> allows (sending, in_doubt) only.
    /// </summary>
    public static readonly string MarkSentSql = $"""
        WITH moved AS (
            UPDATE messages
            SET wa_message_id = @WaMessageId, status = 'sent', status_rank = 1, sent_at = coalesce(sent_at, now()),
                status_changed_at = now(), error_code = NULL, error_title = NULL, error_message = NULL
            WHERE client_message_id = @ClientMessageId AND bot_id = @BotId AND direction = 'outbound'
              AND status IN ({OutboxStateMachine.SourcesSql(OutboxState.Sent)})
            RETURNING id, bot_id, organization_id, contact_wa_id, execution_id, message_type
        ),
        event AS (
            INSERT INTO contact_events (type, bot_id, organization_id, contact_wa_id, message_id, execution_id, occurred_at, data)
            SELECT 'message_sent', bot_id, organization_id, contact_wa_id, id, execution_id, now(),
                   jsonb_build_object('message_type', message_type, 'client_message_id', CAST(@ClientMessageId AS uuid))
            FROM moved
        )
        SELECT count(*) FROM moved
        """;

    public static async Task<StatusApplyOutcome> ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long botId, string waMessageId, StatusReport report, CancellationToken cancellationToken)
    {
        var outcome = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ApplySql, Parameters(botId, waMessageId, report), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (StatusApplyOutcome)outcome;
    }

    public static Task KeepEarlyAsync(
        NpgsqlConnection connection, long botId, string waMessageId, StatusReport report, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(KeepEarlySql, Parameters(botId, waMessageId, report), cancellationToken: cancellationToken));

    /// <summary>
    /// Applies (in delivery order) and removes the early reports of a wamid that is now stored, in one transaction.
    /// Both sides call it after their own commit — the sender after storing the wamid, the webhook after keeping a
    /// report — so whichever commits second sees the other's row: no report is left behind by the race between them.
    /// </summary>
    public static async Task<int> ApplyEarlyAsync(NpgsqlConnection connection, long botId, string waMessageId, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var taken = (await connection.QueryAsync<EarlyRow>(new CommandDefinition(
            TakeEarlySql, new { BotId = botId, WaMessageId = waMessageId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        foreach (var row in taken.OrderBy(r => r.Rank).ThenBy(r => r.At))
        {
            await ApplyAsync(connection, transaction, botId, waMessageId,
                new StatusReport((MessageDeliveryStatus)row.Rank, new DateTimeOffset(DateTime.SpecifyKind(row.At, DateTimeKind.Utc)), row.ErrorCode, row.ErrorTitle, row.ErrorMessage), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return taken.Count;
    }

    /// <summary>The parameters of <see cref="ApplySql"/>.</summary>
    public static void AddParameters(NpgsqlParameterCollection p, long botId, string waMessageId, StatusReport report)
    {
        p.Add(new NpgsqlParameter<long>("BotId", botId));
        p.Add(new NpgsqlParameter<string>("WaMessageId", waMessageId));
        p.Add(new NpgsqlParameter<string>("Status", MessageStatusWriter.StatusName(report.Status)));
        p.Add(new NpgsqlParameter<short>("Rank", (short)report.Status));
        p.Add(new NpgsqlParameter<DateTimeOffset>("At", report.At.ToUniversalTime()));
        p.Add(new NpgsqlParameter("ErrorCode", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)report.ErrorCode ?? DBNull.Value });
        p.Add(new NpgsqlParameter("ErrorTitle", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)report.ErrorTitle ?? DBNull.Value });
        p.Add(new NpgsqlParameter("ErrorMessage", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)report.ErrorMessage ?? DBNull.Value });
    }

    private static object Parameters(long botId, string waMessageId, StatusReport report) => new
    {
        BotId = botId,
        WaMessageId = waMessageId,
        Status = MessageStatusWriter.StatusName(report.Status),
        Rank = (short)report.Status,
        At = report.At.ToUniversalTime(),
        report.ErrorCode,
        report.ErrorTitle,
        report.ErrorMessage,
    };

    private sealed class EarlyRow
    {
        public short Rank { get; init; }

        public DateTime At { get; init; }

        public int? ErrorCode { get; init; }

        public string? ErrorTitle { get; init; }

        public string? ErrorMessage { get; init; }
    }
}
