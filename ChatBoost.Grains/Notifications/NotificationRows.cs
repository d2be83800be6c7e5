using ChatBoost.Grains.Interfaces.Notifications;
using Npgsql;

namespace ChatBoost.Grains.Notifications;

/// <summary>The columns every notification read selects, and their mapping (the title shows a coalesced count).</summary>
public static class NotificationRows
{
    public const string Columns =
        "id, user_id, type, event, title, body, organization_id, bot_id, contact_id, execution_id, message_id, count, created_at, updated_at, read_at, position";

    public static Notification Read(NpgsqlDataReader r)
    {
        var count = r.GetInt32(11);
        return new Notification(
            r.GetInt64(0),
            r.GetInt64(1),
            r.GetString(2),
            r.GetString(3),
            NotificationCoalescer.CoalescedTitle(r.GetString(4), count),
            r.GetString(5),
            Nullable(r, 6),
            Nullable(r, 7),
            Nullable(r, 8),
            Nullable(r, 9),
            Nullable(r, 10),
            count,
            r.GetFieldValue<DateTimeOffset>(12),
            r.GetFieldValue<DateTimeOffset>(13),
            r.IsDBNull(14) ? null : r.GetFieldValue<DateTimeOffset>(14),
            r.GetInt64(15));
    }

    public static async Task<List<Notification>> ReadAllAsync(NpgsqlCommand command)
    {
        var list = new List<Notification>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static long? Nullable(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal);
}
