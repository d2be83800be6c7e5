using ChatBoost.Grains.Contacts.Events;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts.Events;

/// <summary>Writes contact events the way the writers do (in the caller's transaction) and reads what the outlet stored.</summary>
internal static class OutletSeed
{
    /// <summary>A bot id no row and no other test uses (contact_events and bot_live_counters have no foreign keys).</summary>
    public static long NewBotId() => Random.Shared.NextInt64(1_000_000_000, long.MaxValue / 2);

    public static NewContactEvent Event(long botId, string waId, string type, string? data = null, DateTimeOffset? at = null) =>
        new(type, botId, 1, waId, at ?? DateTimeOffset.UtcNow, DataJson: data);

    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, params NewContactEvent[] events) =>
        await ContactEventSql.InsertAsync(connection, transaction, events, CancellationToken.None);

    public static async Task<int> ShardOfAsync(NpgsqlConnection connection, long botId, string waId)
    {
        await using var command = new NpgsqlCommand("SELECT contact_event_shard(@bot, @wa)", connection);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("wa", waId);
        return (short)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A contact whose events land in <paramref name="shard"/>.</summary>
    public static async Task<string> ContactInShardAsync(NpgsqlConnection connection, long botId, int shard)
    {
        for (var i = 0; ; i++)
        {
            var waId = "4917" + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (await ShardOfAsync(connection, botId, waId) == shard)
            {
                return waId;
            }
        }
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; fails the test when it never does.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
