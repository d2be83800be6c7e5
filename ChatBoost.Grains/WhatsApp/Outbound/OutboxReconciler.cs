using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Dapper;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>What one <see cref="OutboxReconciler.RunOnceAsync"/> did.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.ReconcileReport")]
public sealed record ReconcileReport(
    [property: Id(0)] int MarkedInDoubt, [property: Id(1)] int Abandoned, [property: Id(2)] int EarlyApplied, [property: Id(3)] int EarlyPurged);

/// <summary>
/// The outbox's housekeeping, run by <see cref="OutboxReconcilerGrain"/> every minute: rows whose caller is gone are
/// given their honest state, and early statuses are applied or purged. Each step is one bounded, idempotent statement,
/// so two runs at once (a duplicate activation) are harmless.
/// </summary>
/// <remarks>
/// <c>sending</c> older than <see cref="OutboundOptions.SendingStaleAfter"/> → <c>in_doubt</c> (its attempt's caller died
/// with it in flight); an API send <c>queued</c> older than <see cref="OutboundOptions.QueuedAbandonedAfter"/> →
/// <c>failed</c> "abandoned before any attempt" (a flow send's queued row is left to its execution, which re-sends it
/// with the same client id); early statuses whose wamid is stored by now are applied (the sender died between storing
/// it and applying them), the others are purged after <see cref="OutboundOptions.EarlyStatusTtl"/>.
/// </remarks>
public sealed class OutboxReconciler(Database database, IOptions<OutboundOptions> options)
{
    private static readonly string StaleSendingSql = $"""
        UPDATE messages SET status = 'in_doubt', status_changed_at = now(), error_code = NULL,
                            error_title = '{OutboxStore.InDoubtTitle}', error_message = '{OutboundSender.LostInFlightReason}'
        WHERE id IN (SELECT id FROM messages
                     WHERE direction = 'outbound' AND status = 'sending' AND status_changed_at < now() - @StaleAfter
                     ORDER BY status_changed_at LIMIT @Batch)
          AND status IN ({OutboxStateMachine.SourcesSql(OutboxState.InDoubt)})
        """;

    private static readonly string AbandonedSql = $"""
        UPDATE messages SET status = 'failed', status_rank = 4, failed_at = now(), status_changed_at = now(),
                            error_code = NULL, error_title = '{OutboxStore.AbandonedTitle}', error_message = '{OutboxStore.AbandonedDetail}'
        WHERE id IN (SELECT id FROM messages
                     WHERE direction = 'outbound' AND status = 'queued' AND execution_id IS NULL
                       AND status_changed_at < now() - @AbandonedAfter
                     ORDER BY status_changed_at LIMIT @Batch)
          AND status = 'queued'
        """;

    private const string LandedEarlySql = """
        SELECT DISTINCT e.bot_id AS BotId, e.wa_message_id AS WaMessageId
        FROM early_statuses e
        WHERE EXISTS (SELECT 1 FROM messages m WHERE m.bot_id = e.bot_id AND m.wa_message_id = e.wa_message_id AND m.direction = 'outbound')
        LIMIT @Batch
        """;

    private const string PurgeEarlySql = "DELETE FROM early_statuses WHERE received_at < now() - @Ttl";

    public async Task<ReconcileReport> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var inDoubt = await connection.ExecuteAsync(new CommandDefinition(
            StaleSendingSql, new { StaleAfter = o.SendingStaleAfter, Batch = o.ReconcileBatch }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var abandoned = await connection.ExecuteAsync(new CommandDefinition(
            AbandonedSql, new { AbandonedAfter = o.QueuedAbandonedAfter, Batch = o.ReconcileBatch }, cancellationToken: cancellationToken)).ConfigureAwait(false);

        var applied = 0;
        var landed = await connection.QueryAsync<(long BotId, string WaMessageId)>(new CommandDefinition(
            LandedEarlySql, new { Batch = o.ReconcileBatch }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var (botId, waMessageId) in landed.ToList())
        {
            applied += await StatusSql.ApplyEarlyAsync(connection, botId, waMessageId, cancellationToken).ConfigureAwait(false);
        }

        var purged = await connection.ExecuteAsync(new CommandDefinition(
            PurgeEarlySql, new { Ttl = o.EarlyStatusTtl }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new ReconcileReport(inDoubt, abandoned, applied, purged);
    }
}
