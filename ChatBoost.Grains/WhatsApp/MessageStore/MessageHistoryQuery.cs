using System.Buffers.Binary;
using System.Buffers.Text;
using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>One row of a bot's message history.</summary>
public sealed record MessageView(
    long Id,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    string Direction,
    string? WaMessageId,
    string MessageType,
    string? Text,
    string? PayloadJson,
    string Status,
    int? ErrorCode,
    string? ErrorTitle,
    string? ErrorMessage,
    DateTimeOffset? SentAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? ReadAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? WaTimestamp,
    DateTimeOffset CreatedAt,
    Guid? ClientMessageId);

/// <summary>A page of history, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record MessagePage(IReadOnlyList<MessageView> Items, string? NextCursor);

/// <summary>
/// <c>GET /whatsapp/messages/{bot_id}</c>: a bot's messages newest first, optionally one contact's, keyset-paged by id
/// (an index range scan on (bot_id, id DESC) or (bot_id, contact_wa_id, id DESC), however deep the page).
/// The caller checks that the bot belongs to the requester's organization.
/// </summary>
public sealed class MessageHistoryQuery(Database database)
{
    public const int MaxLimit = 200;

    private const string Columns = """
        SELECT id, bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, payload::text,
               status, error_code, error_title, error_message, sent_at, delivered_at, read_at, failed_at, wa_timestamp,
               created_at, client_message_id
        FROM messages
        """;

    // Four fixed texts rather than "(@x IS NULL OR …)": each has a plan that uses its index.
    private const string BotSql = Columns + " WHERE bot_id = @bot_id ORDER BY id DESC LIMIT @take";
    private const string BotBeforeSql = Columns + " WHERE bot_id = @bot_id AND id < @before ORDER BY id DESC LIMIT @take";
    private const string ContactSql = Columns + " WHERE bot_id = @bot_id AND contact_wa_id = @contact ORDER BY id DESC LIMIT @take";
    private const string ContactBeforeSql =
        Columns + " WHERE bot_id = @bot_id AND contact_wa_id = @contact AND id < @before ORDER BY id DESC LIMIT @take";

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not 1 to <see cref="MaxLimit"/>.</exception>
    /// <exception cref="FormatException"><paramref name="cursor"/> is not one this query returned.</exception>
    public async Task<MessagePage> ListAsync(
        long botId,
        string? contactWaId,
        int limit,
        string? cursor,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        long? before = string.IsNullOrEmpty(cursor) ? null : MessageCursor.Decode(cursor);
        var contact = string.IsNullOrEmpty(contactWaId) ? null : contactWaId;
        var sql = (contact, before) switch
        {
            (null, null) => BotSql,
            (null, _) => BotBeforeSql,
            (_, null) => ContactSql,
            _ => ContactBeforeSql,
        };

        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long>("bot_id", botId));
        command.Parameters.Add(new NpgsqlParameter<int>("take", limit + 1)); // one more tells whether a next page exists
        if (contact is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("contact", contact));
        }

        if (before is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<long>("before", before.Value));
        }

        var items = new List<MessageView>(limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(Read(reader));
            }
        }

        if (items.Count <= limit)
        {
            return new MessagePage(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new MessagePage(items, MessageCursor.Encode(items[^1].Id));
    }

    private static MessageView Read(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetInt64(2),
        r.GetString(3),
        r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.GetString(9),
        r.IsDBNull(10) ? null : r.GetInt32(10),
        r.IsDBNull(11) ? null : r.GetString(11),
        r.IsDBNull(12) ? null : r.GetString(12),
        Timestamp(r, 13),
        Timestamp(r, 14),
        Timestamp(r, 15),
        Timestamp(r, 16),
        Timestamp(r, 17),
        r.GetFieldValue<DateTimeOffset>(18),
        r.IsDBNull(19) ? null : r.GetGuid(19));

    private static DateTimeOffset? Timestamp(NpgsqlDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);
}

/// <summary>The opaque history cursor: base64url of the last returned id (8 bytes, big-endian).</summary>
public static class MessageCursor
{
    public static string Encode(long lastId)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(bytes, lastId);
        return Base64Url.EncodeToString(bytes);
    }

    /// <exception cref="FormatException">Not a cursor this API issued.</exception>
    public static long Decode(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        if (cursor.Length != 11
            || !Base64Url.TryDecodeFromChars(cursor, bytes, out var written)
            || written != sizeof(long))
        {
            throw new FormatException("The cursor is not valid.");
        }

        var id = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return id > 0 ? id : throw new FormatException("The cursor is not valid.");
    }
}
