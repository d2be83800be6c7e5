namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>
/// One bot's statistics (key: the bot id). Today the live counters: what the event outlet delivered, per UTC hour, exact
/// after a crash (table <c>bot_live_counters</c>). Answers from a cache a few seconds old.
/// </summary>
[Alias("chatboost.analytics.IBotStatisticsGrain")]
public interface IBotStatisticsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The counters of the hours that start in [<paramref name="from"/> rounded down to its UTC hour, <paramref name="to"/>):
    /// totals and one bucket per hour that counted something, oldest first.
    /// </summary>
    [Alias("GetLiveCounters")]
    Task<BotLiveCounters> GetLiveCountersAsync(DateTimeOffset from, DateTimeOffset to);
}
