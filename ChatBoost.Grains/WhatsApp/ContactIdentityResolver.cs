using System.Collections.Concurrent;
using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Finds the contact a message belongs to when Meta names its sender by a business-scoped user id (BSUID): the key the
/// contact was first seen with — its phone number when the first message carried one, else the BSUID itself — kept in
/// <c>contact_identities</c> (first writer wins, so concurrent silos agree) and cached per silo (an identity never changes
/// once written). So a user is one contact whether a message names their number, their BSUID or both.
/// A message with a number and no BSUID is keyed by the number, as before BSUIDs existed.
/// </summary>
public sealed class ContactIdentityResolver(Database database)
{
    private const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<(long BotId, string Bsuid), string> _known = new();

    /// <summary>The contact key for a sender: <paramref name="phone"/> and/or <paramref name="bsuid"/>, at least one set.</summary>
    public async ValueTask<string> ResolveAsync(long botId, string? phone, string? bsuid, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(bsuid))
        {
            return phone ?? throw new ArgumentException("A sender has a phone number or a BSUID.", nameof(phone));
        }

        if (_known.TryGetValue((botId, bsuid), out var key))
        {
            return key;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            WITH claimed AS (
                INSERT INTO contact_identities (bot_id, bsuid, wa_id) VALUES (@bot, @bsuid, @key)
                ON CONFLICT (bot_id, bsuid) DO NOTHING
                RETURNING wa_id)
            SELECT wa_id FROM claimed
            UNION ALL
            SELECT wa_id FROM contact_identities WHERE bot_id = @bot AND bsuid = @bsuid
            LIMIT 1
            """, connection);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("bsuid", bsuid);
        command.Parameters.AddWithValue("key", string.IsNullOrEmpty(phone) ? bsuid : phone);
        key = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
            // Another silo claimed it after this statement's snapshot was taken: its row is committed, read it.
            ?? await ReadAsync(connection, botId, bsuid, cancellationToken).ConfigureAwait(false);
        if (_known.Count >= MaxCached)
        {
            _known.Clear(); // a bound, not an LRU: the table stays the truth
        }

        _known.TryAdd((botId, bsuid), key);
        return key;
    }

    private static async Task<string> ReadAsync(NpgsqlConnection connection, long botId, string bsuid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT wa_id FROM contact_identities WHERE bot_id = @bot AND bsuid = @bsuid", connection);
        command.Parameters.AddWithValue("bot", botId);
        command.Parameters.AddWithValue("bsuid", bsuid);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
            ?? throw new InvalidOperationException($"The identity of {bsuid} for bot {botId} was neither claimed nor found.");
    }
}
