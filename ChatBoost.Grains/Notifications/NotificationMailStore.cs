using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// The SQL of the notification e-mail outbox (<c>notification_mails</c>). Rows are written by the inbox store in the
/// notification's own transaction (<see cref="QueueAsync"/>); the mailer takes due rows under a lease and settles them. Every
/// settling statement is conditional on the lease token, so a mailer whose lease ran out (and whose rows another one took)
/// changes nothing.
/// </summary>
public sealed class NotificationMailStore(Database database)
{
    private const string QueueSql = """
        INSERT INTO notification_mails (notification_id, user_id, digest, due_at)
        SELECT unnest(@ids), @user, @digest, @due
        ON CONFLICT DO NOTHING
        """;

    // The rule is NotificationMailRules.IsTakeable; SKIP LOCKED keeps two concurrent takes apart, the lease keeps apart
    // the takes that follow while the first mailer is still sending.
    private const string TakeSql = """
        WITH due AS (
            SELECT notification_id FROM notification_mails
            WHERE state = 'pending' AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
            ORDER BY due_at, notification_id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        ), leased AS (
            UPDATE notification_mails m SET lease_token = @token, lease_until = @until
            FROM due WHERE m.notification_id = due.notification_id
            RETURNING m.notification_id, m.user_id, m.digest, m.attempts
        )
        SELECT l.notification_id, l.user_id, coalesce(u.email, ''), coalesce(u.is_active, false), l.digest, l.attempts,
               n.type, n.title, n.body, n.count, n.created_at
        FROM leased l
        JOIN notifications n ON n.id = l.notification_id
        LEFT JOIN users u ON u.id = l.user_id
        ORDER BY l.notification_id
        """;

    private const string SettleSql = """
        UPDATE notification_mails SET state = @state, attempts = attempts + @attempted, sent_at = CASE WHEN @state = 'sent' THEN @now END,
            last_error = @error, due_at = @due, lease_token = NULL, lease_until = NULL
        WHERE notification_id = ANY(@ids) AND lease_token = @token AND state = 'pending'
        """;

    /// <summary>Queues a mail per notification inside the caller's transaction (the one that inserts the notifications).</summary>
    public static async Task QueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, IReadOnlyList<long> notificationIds, MailSchedule schedule)
    {
        if (notificationIds.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(QueueSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. notificationIds]));
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<bool>("digest", schedule.Digest));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("due", schedule.DueAt));
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Leases up to <paramref name="limit"/> due rows to <paramref name="token"/> until <paramref name="until"/>.</summary>
    public async Task<IReadOnlyList<QueuedMail>> TakeAsync(Guid token, DateTimeOffset now, DateTimeOffset until, int limit)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(TakeSql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", until));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var rows = new List<QueuedMail>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows.Add(new QueuedMail(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.GetBoolean(3),
                reader.GetBoolean(4),
                reader.GetInt32(5),
                reader.GetString(6),
                NotificationCoalescer.CoalescedTitle(reader.GetString(7), reader.GetInt32(9)),
                reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(10)));
        }

        return rows;
    }

    /// <summary>Sent: the rows are done. Returns how many rows this lease still held (0: another mailer took them).</summary>
    public Task<int> MarkSentAsync(Guid token, IReadOnlyList<long> ids, DateTimeOffset now) =>
        SettleAsync(token, ids, NotificationMailStates.Sent, attempted: 1, error: null, due: now, now);

    /// <summary>Nothing to send to (the user is deactivated or gone): the rows are done without a mail.</summary>
    public Task<int> MarkSkippedAsync(Guid token, IReadOnlyList<long> ids, DateTimeOffset now) =>
        SettleAsync(token, ids, NotificationMailStates.Skipped, attempted: 0, error: null, due: now, now);

    /// <summary>A failed attempt: due again at <paramref name="retry"/>'s time, or given up as failed.</summary>
    public Task<int> MarkFailedAttemptAsync(Guid token, IReadOnlyList<long> ids, MailRetry retry, string error, DateTimeOffset now) =>
        SettleAsync(token, ids, retry.GiveUp ? NotificationMailStates.Failed : NotificationMailStates.Pending, attempted: 1,
            error.Length > 500 ? error[..500] : error, retry.DueAt, now);

    /// <summary>Gives rows back untouched (the lease was running out before their turn): takeable again at once.</summary>
    public async Task<int> ReleaseAsync(Guid token, IReadOnlyList<long> ids)
    {
        if (ids.Count == 0)
        {
            return 0;
        }

        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "UPDATE notification_mails SET lease_token = NULL, lease_until = NULL WHERE notification_id = ANY(@ids) AND lease_token = @token AND state = 'pending'",
            connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. ids]));
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<int> SettleAsync(Guid token, IReadOnlyList<long> ids, string state, int attempted, string? error, DateTimeOffset due, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(SettleSql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", [.. ids]));
        command.Parameters.Add(new NpgsqlParameter<string>("state", state));
        command.Parameters.Add(new NpgsqlParameter<int>("attempted", attempted));
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("due", due));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}

/// <summary>How the inbox queues the mail of the notifications it inserts: digest or immediate, and when it is due.</summary>
public sealed record MailSchedule(bool Digest, DateTimeOffset DueAt);
