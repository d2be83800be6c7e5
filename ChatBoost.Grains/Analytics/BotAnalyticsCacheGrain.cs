using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// <see cref="IBotAnalyticsCacheGrain"/>: one bot's recent slices in memory, each for the duration its endpoint asked,
/// emptied by <see cref="InvalidateAsync"/> when an aggregation changed the bot's rows. One call at a time, so an
/// invalidation waits for a read in flight and no slice read before it survives it. A grain rather than Redis: the
/// cluster already routes every request for a bot to this one activation, the answer is already deserialized, and there
/// is nothing to keep coherent across processes (a lost activation only costs one read of the rollups).
/// </summary>
public sealed class BotAnalyticsCacheGrain(RollupReader reader, TimeProvider time) : Grain, IBotAnalyticsCacheGrain
{
    public const int MaxEntries = 64;

    private readonly Dictionary<StatsRange, (BotStatsSlice Slice, DateTimeOffset Expires)> _entries = [];
    private long _hits;
    private long _misses;
    private DateTimeOffset? _invalidatedAt;

    public async Task<BotStatsSlice> GetSliceAsync(StatsRange range, TimeSpan keepFor)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(range, out var entry) && now < entry.Expires)
        {
            _hits++;
            return entry.Slice;
        }

        _misses++;
        var zone = AnalyticsPeriods.FindZone(range.TimeZone) ?? throw new ArgumentException($"Unknown time zone '{range.TimeZone}'.", nameof(range));
        var slice = await reader.ReadAsync(this.GetPrimaryKeyLong(), range, zone, CancellationToken.None);
        if (_entries.Count >= MaxEntries)
        {
            foreach (var expired in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
            {
                _entries.Remove(expired);
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Remove(_entries.MinBy(e => e.Value.Expires).Key);
            }
        }

        _entries[range] = (slice, now + keepFor);
        return slice;
    }

    public Task InvalidateAsync()
    {
        _entries.Clear();
        _invalidatedAt = time.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task<AnalyticsCacheState> GetStateAsync() => Task.FromResult(new AnalyticsCacheState(_entries.Count, _hits, _misses, _invalidatedAt));
}
