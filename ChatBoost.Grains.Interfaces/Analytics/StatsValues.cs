namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>
/// The additive figures of one bot over one bucket (an hour or a day), as <c>docs/analytics.md</c> defines them. Every
/// field counts facts that each belong to exactly one bucket, so the figures of a longer range are the sums of its
/// buckets' (distinct contacts are not additive and are kept apart, see <see cref="StatsBucket.ActiveContacts"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.StatsValues")]
public sealed record StatsValues(
    [property: Id(0)] long MessagesInbound,
    [property: Id(1)] long MessagesOutbound,
    [property: Id(2)] IReadOnlyDictionary<string, long> InboundByType,
    [property: Id(3)] IReadOnlyDictionary<string, long> OutboundByType,
    [property: Id(4)] long Sent,
    [property: Id(5)] long Delivered,
    [property: Id(6)] long Read,
    [property: Id(7)] long Failed,
    [property: Id(8)] long InDoubt,
    [property: Id(9)] long Responses,
    [property: Id(10)] long ResponseMillis,
    [property: Id(11)] long NewContacts,
    [property: Id(12)] long FlowsStarted,
    [property: Id(13)] long FlowsCompleted,
    [property: Id(14)] long FlowsFailed,
    [property: Id(15)] long FlowsTriggered)
{
    public static readonly StatsValues Zero = new(0, 0, new Dictionary<string, long>(), new Dictionary<string, long>(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public long MessagesTotal => MessagesInbound + MessagesOutbound;

    /// <summary>The sum of two buckets' figures.</summary>
    public StatsValues Plus(StatsValues other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new StatsValues(
            MessagesInbound + other.MessagesInbound,
            MessagesOutbound + other.MessagesOutbound,
            Merge(InboundByType, other.InboundByType),
            Merge(OutboundByType, other.OutboundByType),
            Sent + other.Sent,
            Delivered + other.Delivered,
            Read + other.Read,
            Failed + other.Failed,
            InDoubt + other.InDoubt,
            Responses + other.Responses,
            ResponseMillis + other.ResponseMillis,
            NewContacts + other.NewContacts,
            FlowsStarted + other.FlowsStarted,
            FlowsCompleted + other.FlowsCompleted,
            FlowsFailed + other.FlowsFailed,
            FlowsTriggered + other.FlowsTriggered);
    }

    public static StatsValues Sum(IEnumerable<StatsValues> values) => values.Aggregate(Zero, (total, v) => total.Plus(v));

    private static Dictionary<string, long> Merge(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        var merged = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (type, count) in b)
        {
            merged[type] = merged.GetValueOrDefault(type) + count;
        }

        return merged;
    }
}

/// <summary>One bucket of a bot's figures: [<see cref="Start"/>, <see cref="End"/>) and its distinct active contacts.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.StatsBucket")]
public sealed record StatsBucket(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] StatsValues Values,
    [property: Id(3)] long ActiveContacts);

/// <summary>
/// What the rollups hold of one bot over a range: its buckets (oldest first, one per bucket of the range, empty ones
/// included), the distinct contacts active anywhere in the range and, of those, the ones created before it started.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.BotStatsSlice")]
public sealed record BotStatsSlice(
    [property: Id(0)] long BotId,
    [property: Id(1)] IReadOnlyList<StatsBucket> Buckets,
    [property: Id(2)] long ActiveContacts,
    [property: Id(3)] long ReturningContacts,
    [property: Id(4)] DateTimeOffset? ComputedAt);
