namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>
/// The figures of one range (a bucket, or a whole report), as <c>docs/analytics.md</c> defines them. Rates are percentages
/// with two decimals and null when their denominator is 0; <see cref="AverageResponseTime"/> is in seconds.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.StatsSummary")]
public sealed record StatsSummary(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] long TotalMessages,
    [property: Id(3)] long InboundMessages,
    [property: Id(4)] long OutboundMessages,
    [property: Id(5)] long ActiveContacts,
    [property: Id(6)] long NewContacts,
    [property: Id(7)] long Sent,
    [property: Id(8)] long Delivered,
    [property: Id(9)] long Read,
    [property: Id(10)] long Failed,
    [property: Id(11)] long InDoubt,
    [property: Id(12)] double? DeliveryRate,
    [property: Id(13)] double? ReadRate,
    [property: Id(14)] double? AverageResponseTime,
    [property: Id(15)] long Responses,
    [property: Id(16)] long FlowsStarted,
    [property: Id(17)] long FlowsCompleted,
    [property: Id(18)] long FlowsFailed,
    [property: Id(19)] double? FlowCompletionRate,
    [property: Id(20)] long FlowsTriggered);

/// <summary>Period-over-period changes: growth in percent of the previous period, the delivery rate's change in points.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.AnalyticsTrendChanges")]
public sealed record AnalyticsTrendChanges(
    [property: Id(0)] double? MessagesGrowth,
    [property: Id(1)] double? ContactsGrowth,
    [property: Id(2)] double? DeliveryRateChange);

/// <summary><c>GET /analytics/overview</c>: the seed's fields, then the range they cover.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.OverviewReport")]
public sealed record OverviewReport(
    [property: Id(0)] string Period,
    [property: Id(1)] long? BotId,
    [property: Id(2)] long TotalMessages,
    [property: Id(3)] long ActiveContacts,
    [property: Id(4)] double? DeliveryRate,
    [property: Id(5)] double? AverageResponseTime,
    [property: Id(6)] IReadOnlyDictionary<string, long> TopMessageTypes,
    [property: Id(7)] double? FlowCompletionRate,
    [property: Id(8)] AnalyticsTrendChanges Trends,
    [property: Id(9)] DateTimeOffset StartDate,
    [property: Id(10)] DateTimeOffset EndDate,
    [property: Id(11)] string Tz,
    [property: Id(12)] DateTimeOffset? ComputedAt);

/// <summary><c>GET /analytics/trends</c> and <c>GET /analytics/delivery-rates</c>: one summary per bucket and the range's total.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.SeriesReport")]
public sealed record SeriesReport(
    [property: Id(0)] DateTimeOffset StartDate,
    [property: Id(1)] DateTimeOffset EndDate,
    [property: Id(2)] long? BotId,
    [property: Id(3)] string Granularity,
    [property: Id(4)] string Tz,
    [property: Id(5)] StatsSummary Totals,
    [property: Id(6)] IReadOnlyList<StatsSummary> Buckets,
    [property: Id(7)] DateTimeOffset? ComputedAt);

/// <summary><c>GET /analytics/bots/{bot_id}/performance</c>: the period's figures, the previous period's and the changes.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.BotPerformanceReport")]
public sealed record BotPerformanceReport(
    [property: Id(0)] long BotId,
    [property: Id(1)] string Period,
    [property: Id(2)] string Tz,
    [property: Id(3)] StatsSummary Current,
    [property: Id(4)] StatsSummary? Previous,
    [property: Id(5)] AnalyticsTrendChanges Trends,
    [property: Id(6)] IReadOnlyList<StatsSummary> Buckets,
    [property: Id(7)] DateTimeOffset? ComputedAt);

/// <summary><c>GET /analytics/active-contacts</c>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.ActiveContactsReport")]
public sealed record ActiveContactsReport(
    [property: Id(0)] string Period,
    [property: Id(1)] long? BotId,
    [property: Id(2)] string Tz,
    [property: Id(3)] long ActiveContacts,
    [property: Id(4)] long NewContacts,
    [property: Id(5)] long ReturningContacts,
    [property: Id(6)] long? PreviousActiveContacts,
    [property: Id(7)] double? ContactsGrowth,
    [property: Id(8)] DateTimeOffset StartDate,
    [property: Id(9)] DateTimeOffset EndDate,
    [property: Id(10)] DateTimeOffset? ComputedAt);

/// <summary><c>GET /analytics/message-distribution</c>: counts by type (both directions, and each), and shares in percent.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.MessageDistributionReport")]
public sealed record MessageDistributionReport(
    [property: Id(0)] string Period,
    [property: Id(1)] long? BotId,
    [property: Id(2)] string Tz,
    [property: Id(3)] long TotalMessages,
    [property: Id(4)] IReadOnlyDictionary<string, long> ByType,
    [property: Id(5)] IReadOnlyDictionary<string, double> Percentages,
    [property: Id(6)] IReadOnlyDictionary<string, long> InboundByType,
    [property: Id(7)] IReadOnlyDictionary<string, long> OutboundByType,
    [property: Id(8)] DateTimeOffset StartDate,
    [property: Id(9)] DateTimeOffset EndDate,
    [property: Id(10)] DateTimeOffset? ComputedAt);

/// <summary>
/// One node of a flow's funnel over the node entries in the period: how many entered it, left it for another node or the
/// flow's end, waited there, failed there, dropped off there (cancelled, or timed out, as the execution's last node) or
/// are still there (active executions).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.FunnelNode")]
public sealed record FunnelNode(
    [property: Id(0)] long NodeId,
    [property: Id(1)] string? NodeType,
    [property: Id(2)] long Entered,
    [property: Id(3)] long Left,
    [property: Id(4)] long Waited,
    [property: Id(5)] long Failed,
    [property: Id(6)] long DroppedOff,
    [property: Id(7)] long StillThere,
    [property: Id(8)] double? ContinueRate);

/// <summary><c>GET /analytics/flows/{flow_id}/funnel</c>.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.FlowFunnelReport")]
public sealed record FlowFunnelReport(
    [property: Id(0)] long FlowId,
    [property: Id(1)] int? Version,
    [property: Id(2)] string Period,
    [property: Id(3)] string Tz,
    [property: Id(4)] DateTimeOffset StartDate,
    [property: Id(5)] DateTimeOffset EndDate,
    [property: Id(6)] long Executions,
    [property: Id(7)] IReadOnlyList<FunnelNode> Nodes);
