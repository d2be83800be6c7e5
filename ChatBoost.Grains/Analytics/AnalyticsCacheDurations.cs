namespace ChatBoost.Grains.Analytics;

/// <summary>How long each endpoint's slices are cached (the seed's durations; distribution as the other 10-minute reports).</summary>
public static class AnalyticsCacheDurations
{
    public static readonly TimeSpan Overview = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Trends = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan Performance = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DeliveryRates = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ActiveContacts = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan Distribution = TimeSpan.FromMinutes(10);

    /// <summary>The per-node funnel (not in the seed): as the overview, the shortest of the seed's durations.</summary>
    public static readonly TimeSpan Funnel = TimeSpan.FromMinutes(5);
}
