using ChatBoost.Grains.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// The live bots of a set of organizations: what a report without <c>bot_id</c> spans. <see cref="ReadAsync"/> asks
/// PostgreSQL; <see cref="CachedAsync"/> keeps each set's answer for <see cref="KeepFor"/> in a silo-wide cache, so that
/// a cached report of an organization is grain calls only (it used to be one PostgreSQL round trip per request, cached
/// or not). A bot created meanwhile has no rollup rows yet; one deleted meanwhile is still counted for at most that long.
/// </summary>
public sealed class OrganizationBots(Database database) : IDisposable
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(30);

    /// <summary>Organization sets kept at most (each entry is one set's bot ids).</summary>
    public const int MaxSets = 10_000;

    private const string BotsSql = "SELECT id FROM bots WHERE organization_id = ANY(@organizations) AND deleted_at IS NULL ORDER BY id";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxSets });

    public async Task<IReadOnlyList<long>> CachedAsync(IReadOnlyList<long> organizationIds)
    {
        ArgumentNullException.ThrowIfNull(organizationIds);
        var key = string.Join(',', organizationIds.Distinct().Order());
        if (_cache.TryGetValue(key, out IReadOnlyList<long>? bots) && bots is not null)
        {
            return bots;
        }

        bots = await ReadAsync(organizationIds).ConfigureAwait(false);
        _cache.Set(key, bots, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = KeepFor });
        return bots;
    }

    public async Task<IReadOnlyList<long>> ReadAsync(IReadOnlyList<long> organizationIds)
    {
        ArgumentNullException.ThrowIfNull(organizationIds);
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(BotsSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("organizations", organizationIds.ToArray()));
        var bots = new List<long>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            bots.Add(reader.GetInt64(0));
        }

        return bots;
    }

    public void Dispose() => _cache.Dispose();
}
