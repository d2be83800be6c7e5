using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// The SQL of one user's inbox (<c>notifications</c>, <c>notification_sources</c>); only the user's inbox grain calls it,
/// so the statements need no locks beyond their transaction. Every statement is scoped by user id.
/// </summary>
public sealed class NotificationInboxStore(Database database, IOptions<NotificationOptions> options)
{
    private const string ClaimSql = """
        INSERT INTO notification_sources (user_id, source)
        SELECT @user, s FROM unnest(@sources) AS s
        ON CONFLICT DO NOTHING
        RETURNING source
        """;

    private static readonly string InsertSql = $"""
        WITH d AS (
            SELECT * FROM unnest(@types, @events, @titles, @bodies, @organizations, @bots, @contacts, @executions, @messages, @counts)
                WITH ORDINALITY AS d(type, event, title, body, organization_id, bot_id, contact_id, execution_id, message_id, count, ord)
        ), inserted AS (
            INSERT INTO notifications (user_id, type, event, title, body, organization_id, bot_id, contact_id, execution_id, message_id, count)
            SELECT @user, type, event, title, body, organization_id, bot_id, contact_id, execution_id, message_id, count FROM d ORDER BY ord
            RETURNING {NotificationRows.Columns}
        )
        SELECT {NotificationRows.Columns} FROM inserted ORDER BY id
        """;

    private static readonly string FoldSql = $"""
        UPDATE notifications n SET count = n.count + f.added, body = f.body, updated_at = now(),
            position = nextval(pg_get_serial_sequence('notifications', 'id'))
        FROM unnest(@ids, @added, @bodies) AS f(id, added, body)
        WHERE n.id = f.id AND n.user_id = @user AND n.read_at IS NULL
        RETURNING {string.Join(", ", NotificationRows.Columns.Split(", ").Select(c => "n." + c))}
        """;

    private const string PurgeSql = """
        DELETE FROM notifications WHERE user_id = @user AND created_at < @before;
        DELETE FROM notification_sources WHERE user_id = @user AND created_at < @before;
        """;

    private TimeSpan Retention => options.Value.Retention;

    /// <summary>Deletes what is past the retention; returns the unread count and the latest stream position (0: none).</summary>
    public async Task<(long Unread, long LatestId)> LoadAsync(long userId, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using (var purge = new NpgsqlCommand(PurgeSql, connection))
        {
            purge.Parameters.Add(new NpgsqlParameter<long>("user", userId));
            purge.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("before", now - Retention));
            await purge.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM notifications WHERE user_id = @user AND read_at IS NULL), (SELECT coalesce(max(position), 0) FROM notifications WHERE user_id = @user)",
            connection);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// In one transaction: claims the drafts' sources (the ones already claimed are dropped), lets
    /// <paramref name="plan"/> decide on the rest, inserts and folds. A fold whose notification was read or deleted
    /// meanwhile becomes a notification of its own. With <paramref name="mail"/> (e-mail configured), the inserts the plan
    /// mails are queued in <c>notification_mails</c> in the same transaction: a committed notification has its mail queued.
    /// Returns the inserted and the folded rows.
    /// </summary>
    public async Task<(IReadOnlyList<(Notification Row, PlannedInsert Planned)> Inserted, IReadOnlyList<(Notification Row, PlannedFold Planned)> Folded)> DeliverAsync(
        long userId, IReadOnlyList<NotificationDraft> drafts, Func<IReadOnlyList<NotificationDraft>, InboxDeliveryPlan> plan, MailSchedule? mail = null)
    {
        var unique = drafts.DistinctBy(d => d.Source, StringComparer.Ordinal).ToList();
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction))
        {
            claim.Parameters.Add(new NpgsqlParameter<long>("user", userId));
            claim.Parameters.Add(new NpgsqlParameter<string[]>("sources", unique.Select(d => d.Source).ToArray()));
            await using var reader = await claim.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                claimed.Add(reader.GetString(0));
            }
        }

        var decided = plan([.. unique.Where(d => claimed.Contains(d.Source))]);
        var folded = new List<(Notification, PlannedFold)>();
        var inserts = decided.Inserts.ToList();
        if (decided.Folds.Count > 0)
        {
            var rows = await FoldAsync(connection, transaction, userId, decided.Folds).ConfigureAwait(false);
            foreach (var fold in decided.Folds)
            {
                if (rows.FirstOrDefault(r => r.Id == fold.NotificationId) is { } row)
                {
                    folded.Add((row, fold));
                }
                else
                {
                    inserts.Add(new PlannedInsert(fold.Latest, fold.Added, fold.Push, fold.Mail));
                }
            }
        }

        var inserted = new List<(Notification, PlannedInsert)>();
        if (inserts.Count > 0)
        {
            var rows = await InsertAsync(connection, transaction, userId, inserts).ConfigureAwait(false);
            inserted.AddRange(rows.Zip(inserts));
            if (mail is not null)
            {
                await NotificationMailStore.QueueAsync(connection, transaction, userId, [.. inserted.Where(i => i.Item2.Mail).Select(i => i.Item1.Id)], mail).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return (inserted, folded);
    }

    public async Task<long> CountUnreadAsync(long userId)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM notifications WHERE user_id = @user AND read_at IS NULL", connection);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    public Task<int> MarkReadAsync(long userId, long? notificationId) =>
        ExecuteAsync(
            "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE user_id = @user AND (@id IS NULL OR id = @id) AND (@id IS NOT NULL OR read_at IS NULL)",
            userId, notificationId);

    public Task<int> DeleteAsync(long userId, long? notificationId) =>
        ExecuteAsync("DELETE FROM notifications WHERE user_id = @user AND (@id IS NULL OR id = @id)", userId, notificationId);

    /// <summary>All or nothing: when an id is not the user's, nothing changes and the answer is a 404 naming it.</summary>
    public async Task<CommandResult<int>> BulkAsync(long userId, BulkNotificationAction action, IReadOnlyList<long> ids)
    {
        var distinct = ids.Distinct().ToArray();
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var sql = action switch
        {
            BulkNotificationAction.MarkRead => "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE user_id = @user AND id = ANY(@ids) RETURNING id",
            BulkNotificationAction.MarkUnread => "UPDATE notifications SET read_at = NULL WHERE user_id = @user AND id = ANY(@ids) RETURNING id",
            BulkNotificationAction.Delete => "DELETE FROM notifications WHERE user_id = @user AND id = ANY(@ids) RETURNING id",
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown bulk action."),
        };
        var touched = new HashSet<long>();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
            command.Parameters.Add(new NpgsqlParameter<long[]>("ids", distinct));
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                touched.Add(reader.GetInt64(0));
            }
        }

        if (distinct.FirstOrDefault(id => !touched.Contains(id)) is var missing and not 0)
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
            return CommandResult.Fail<int>(CommandStatus.NotFound, $"Notification {missing} not found; nothing was changed.", "notification_ids");
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return CommandResult.Ok(touched.Count);
    }

    private static async Task<List<Notification>> FoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, IReadOnlyList<PlannedFold> folds)
    {
        await using var command = new NpgsqlCommand(FoldSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", folds.Select(f => f.NotificationId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("added", folds.Select(f => f.Added).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("bodies", folds.Select(f => f.Latest.Body).ToArray()));
        return await NotificationRows.ReadAllAsync(command).ConfigureAwait(false);
    }

    private static async Task<List<Notification>> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long userId, IReadOnlyList<PlannedInsert> inserts)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", inserts.Select(i => i.Draft.Type).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("events", inserts.Select(i => i.Draft.Event).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("titles", inserts.Select(i => i.Draft.Title).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("bodies", inserts.Select(i => i.Draft.Body).ToArray()));
        AddIds(command, "organizations", inserts.Select(i => i.Draft.OrganizationId));
        AddIds(command, "bots", inserts.Select(i => i.Draft.BotId));
        AddIds(command, "contacts", inserts.Select(i => i.Draft.ContactId));
        AddIds(command, "executions", inserts.Select(i => i.Draft.ExecutionId));
        AddIds(command, "messages", inserts.Select(i => i.Draft.MessageId));
        command.Parameters.Add(new NpgsqlParameter<int[]>("counts", inserts.Select(i => i.Count).ToArray()));
        return await NotificationRows.ReadAllAsync(command).ConfigureAwait(false);
    }

    private static void AddIds(NpgsqlCommand command, string name, IEnumerable<long?> ids) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids.Select(i => i is { } v ? (object)v : DBNull.Value).ToArray() });

    private async Task<int> ExecuteAsync(string sql, long userId, long? notificationId)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Bigint) { Value = notificationId is { } id ? id : DBNull.Value });
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
