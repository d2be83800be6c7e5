using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// <see cref="IFlowFunnelCacheGrain"/>: one flow's funnels in memory (key: the flow id), each for
/// <see cref="AnalyticsCacheDurations.Funnel"/>, or until an aggregation changes the flow's funnel rows and empties it
/// (<see cref="InvalidateAsync"/>), so a cached funnel is never older than the rows.
/// </summary>
public sealed class FlowFunnelCacheGrain(FunnelQueries funnels, TimeProvider time) : Grain, IFlowFunnelCacheGrain
{
    public const int MaxEntries = 32;

    private readonly Dictionary<(int? Version, DateTimeOffset Start, DateTimeOffset End), (FunnelCounts Counts, DateTimeOffset Expires)> _entries = [];

    public async Task<FunnelCounts> GetAsync(int? version, DateTimeOffset start, DateTimeOffset end)
    {
        var now = time.GetUtcNow();
        var key = (version, start, end);
        if (_entries.TryGetValue(key, out var entry) && now < entry.Expires)
        {
            return entry.Counts;
        }

        var (executions, nodes) = await funnels.ReadAsync(this.GetPrimaryKeyLong(), version, start, end, CancellationToken.None);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Remove(_entries.MinBy(e => e.Value.Expires).Key);
        }

        var counts = new FunnelCounts(executions, nodes);
        _entries[key] = (counts, now + AnalyticsCacheDurations.Funnel);
        return counts;
    }

    public Task InvalidateAsync()
    {
        _entries.Clear();
        return Task.CompletedTask;
    }
}
