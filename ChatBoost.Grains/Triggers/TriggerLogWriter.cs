using ChatBoost.Grains.Infrastructure;
using Dapper;
using Npgsql;

namespace ChatBoost.Grains.Triggers;

/// <summary>The <c>trigger_logs.event</c> values.</summary>
public static class TriggerLogEvents
{
    public const string Matched = "matched";
    public const string Started = "started";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
}

/// <summary>One line for a trigger's log; <see cref="SourceKey"/> names its cause, so it is written (and counted) once.</summary>
public sealed record TriggerLogEntry(
    long TriggerId,
    long BotId,
    long OrganizationId,
    string Event,
    string SourceKey,
    string? ContactPhone,
    string? MatchedKeyword,
    long? ExecutionId,
    string? Detail,
    DateTimeOffset At);

/// <summary>
/// Writes a trigger log line and moves the trigger's counters in one statement: the insert is conditional on the
/// (trigger, event, source) key, and only an inserted line is counted, so a retried step or a redelivered event leaves
/// one line and one count.
/// </summary>
public sealed class TriggerLogWriter(Database database)
{
    private const string Sql =
        """
        WITH line AS (
            INSERT INTO trigger_logs (trigger_id, bot_id, organization_id, event, source_key, contact_wa_id, matched_keyword, execution_id, detail, created_at)
            VALUES (@TriggerId, @BotId, @OrganizationId, @Event, @SourceKey, @ContactPhone, @MatchedKeyword, @ExecutionId, @Detail, @At)
            ON CONFLICT (trigger_id, event, source_key) DO NOTHING
            RETURNING trigger_id, event, created_at)
        INSERT INTO trigger_statistics AS s (trigger_id, bot_id, organization_id, matched, flows_started, skipped, failed, last_fired_at)
        SELECT trigger_id, @BotId, @OrganizationId, (event = 'matched')::int, (event = 'started')::int, (event = 'skipped')::int,
               (event = 'failed')::int, CASE WHEN event = 'matched' THEN created_at END
        FROM line
        ON CONFLICT (trigger_id) DO UPDATE SET
            matched = s.matched + EXCLUDED.matched,
            flows_started = s.flows_started + EXCLUDED.flows_started,
            skipped = s.skipped + EXCLUDED.skipped,
            failed = s.failed + EXCLUDED.failed,
            last_fired_at = GREATEST(s.last_fired_at, EXCLUDED.last_fired_at)
        """;

    public async Task WriteAsync(TriggerLogEntry entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await WriteAsync(entry, connection, null, cancellationToken);
    }

    /// <summary>Writes through a caller's connection and transaction (the event outlet's transactional subscribers).</summary>
    public static Task WriteAsync(TriggerLogEntry entry, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ExecuteAsync(new CommandDefinition(Sql, new
        {
            entry.TriggerId,
            entry.BotId,
            entry.OrganizationId,
            entry.Event,
            entry.SourceKey,
            entry.ContactPhone,
            MatchedKeyword = Clip(entry.MatchedKeyword, 200),
            entry.ExecutionId,
            Detail = Clip(entry.Detail, 1000),
            At = entry.At.UtcDateTime,
        }, transaction, cancellationToken: cancellationToken));
    }

    private static string? Clip(string? text, int max) => text is { Length: > 0 } t && t.Length > max ? t[..max] : text;
}
