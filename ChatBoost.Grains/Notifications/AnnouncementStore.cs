using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Notifications;
using Dapper;

namespace ChatBoost.Grains.Notifications;

/// <summary>The rows of announcements and contact notes, and the pages of active users an announcement to everyone walks.</summary>
public sealed class AnnouncementStore(Database database)
{
    public async Task<(long Id, DateTimeOffset CreatedAt)> InsertAnnouncementAsync(AnnouncementCommand command)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleAsync<(long, DateTimeOffset)>(
            "INSERT INTO notification_announcements (organization_id, title, body, created_by) VALUES (@OrganizationId, @Title, @Body, @ActorUserId) RETURNING id, created_at",
            command);
    }

    public async Task<(long Id, DateTimeOffset CreatedAt)> InsertNoteAsync(ContactNoteCommand command, IReadOnlyList<long> mentioned)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleAsync<(long, DateTimeOffset)>(
            """
            INSERT INTO contact_notes (contact_id, bot_id, organization_id, author_user_id, text, mentioned_user_ids)
            VALUES (@ContactId, @BotId, @OrganizationId, @AuthorUserId, @Text, @Mentioned) RETURNING id, created_at
            """,
            new { command.ContactId, command.BotId, command.OrganizationId, command.AuthorUserId, command.Text, Mentioned = mentioned.ToArray() });
    }

    /// <summary>Active users with an id above <paramref name="afterId"/>, in id order.</summary>
    public async Task<IReadOnlyList<long>> ActiveUsersAsync(long afterId, int limit)
    {
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<long>(
            "SELECT id FROM users WHERE is_active AND id > @afterId ORDER BY id LIMIT @limit", new { afterId, limit })];
    }
}
