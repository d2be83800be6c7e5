using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Notifications;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.Notifications;

/// <summary>The read side of <c>notifications</c>: always one user's rows, never past the retention.</summary>
public sealed class NotificationQueries(Database database, IOptions<NotificationOptions> options, TimeProvider time)
{
    private const string Filter = """
        user_id = @user AND created_at >= @kept
        AND (NOT @unread OR read_at IS NULL)
        AND (@type IS NULL OR type = @type)
        AND (@organization IS NULL OR organization_id = @organization)
        AND (@since IS NULL OR created_at >= @since)
        """;

    public async Task<NotificationPage> ListAsync(long userId, NotificationFilter filter, int limit, int offset)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {NotificationRows.Columns} FROM notifications WHERE {Filter} ORDER BY id DESC LIMIT @limit OFFSET @offset; " +
            $"SELECT count(*) FROM notifications WHERE {Filter}",
            connection);
        AddFilter(command, userId, filter);
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        command.Parameters.Add(new NpgsqlParameter<int>("offset", offset));
        var items = new List<Notification>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            items.Add(NotificationRows.Read(reader));
        }

        await reader.NextResultAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return new NotificationPage(items, reader.GetInt64(0));
    }

    public async Task<IReadOnlyList<Notification>> AfterAsync(long userId, long afterId, int limit)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {NotificationRows.Columns} FROM notifications WHERE user_id = @user AND position > @after AND created_at >= @kept ORDER BY position LIMIT @limit",
            connection);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<long>("after", afterId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("kept", Kept()));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        return await NotificationRows.ReadAllAsync(command).ConfigureAwait(false);
    }

    /// <summary>Per type: (total, unread); plus the last day's and week's totals and the oldest unread.</summary>
    public async Task<(Dictionary<string, (long Total, long Unread)> ByType, long LastDay, long LastWeek, DateTimeOffset? OldestUnread)> CountsAsync(
        long userId, DateTimeOffset now)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT type, count(*), count(*) FILTER (WHERE read_at IS NULL) FROM notifications
            WHERE user_id = @user AND created_at >= @kept GROUP BY type;
            SELECT count(*) FILTER (WHERE created_at >= @day), count(*) FILTER (WHERE created_at >= @week),
                   min(created_at) FILTER (WHERE read_at IS NULL)
            FROM notifications WHERE user_id = @user AND created_at >= @kept
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("kept", Kept()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("day", now.AddDays(-1)));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("week", now.AddDays(-7)));
        var byType = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            byType[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        await reader.NextResultAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        return (byType, reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private DateTimeOffset Kept() => time.GetUtcNow() - options.Value.Retention;

    private void AddFilter(NpgsqlCommand command, long userId, NotificationFilter filter)
    {
        command.Parameters.Add(new NpgsqlParameter<long>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("kept", Kept()));
        command.Parameters.Add(new NpgsqlParameter<bool>("unread", filter.UnreadOnly));
        command.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = (object?)filter.Type ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("organization", NpgsqlDbType.Bigint) { Value = filter.OrganizationId is { } o ? o : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = filter.Since is { } s ? s : DBNull.Value });
    }
}
