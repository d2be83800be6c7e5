using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>
/// <see cref="IBotStatisticsGrain"/>: one bot's statistics, read from the tables the outlet's subscribers keep. A dashboard
/// refreshing every few seconds asks the same range again and again, so the last answers are kept for
/// <see cref="CacheFor"/> (the counters are seconds behind the events anyway).
/// </summary>
public sealed class BotStatisticsGrain(BotLiveCounterQueries queries, TimeProvider time) : Grain, IBotStatisticsGrain
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    private const int CachedRanges = 8;

    private readonly Dictionary<(DateTimeOffset From, DateTimeOffset To), (BotLiveCounters Answer, DateTimeOffset At)> _cache = [];

    public async Task<BotLiveCounters> GetLiveCountersAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((from, to), out var cached) && now - cached.At < CacheFor)
        {
            return cached.Answer;
        }

        var answer = await queries.ReadAsync(this.GetPrimaryKeyLong(), from, to, CancellationToken.None);
        if (_cache.Count >= CachedRanges)
        {
            _cache.Clear();
        }

        _cache[(from, to)] = (answer, now);
        return answer;
    }
}
