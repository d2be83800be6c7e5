namespace ChatBoost.Grains.Interfaces.Analytics;

/// <summary>A bot's live counters over a time range: the totals and the hours they come from.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.BotLiveCounters")]
public sealed record BotLiveCounters(
    [property: Id(0)] long BotId,
    [property: Id(1)] DateTimeOffset From,
    [property: Id(2)] DateTimeOffset To,
    [property: Id(3)] LiveCounterValues Totals,
    [property: Id(4)] IReadOnlyList<LiveCounterHour> Hours);

/// <summary>The counters of one UTC hour (<see cref="Hour"/> is its start).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.LiveCounterHour")]
public sealed record LiveCounterHour(
    [property: Id(0)] DateTimeOffset Hour,
    [property: Id(1)] LiveCounterValues Values);

/// <summary>
/// The counted facts. Messages are split by WhatsApp message type (<c>text</c>, <c>image</c>, <c>interactive</c>, …);
/// statuses count the status updates Meta reported; sends in doubt are sends whose outcome at Meta is unknown.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.analytics.LiveCounterValues")]
public sealed record LiveCounterValues(
    [property: Id(0)] long MessagesReceived,
    [property: Id(1)] long MessagesSent,
    [property: Id(2)] IReadOnlyDictionary<string, long> MessagesReceivedByType,
    [property: Id(3)] IReadOnlyDictionary<string, long> MessagesSentByType,
    [property: Id(4)] long StatusesSent,
    [property: Id(5)] long StatusesDelivered,
    [property: Id(6)] long StatusesRead,
    [property: Id(7)] long StatusesFailed,
    [property: Id(8)] long SendsInDoubt,
    [property: Id(9)] long ExecutionsStarted,
    [property: Id(10)] long ExecutionsCompleted,
    [property: Id(11)] long ExecutionsFailed,
    [property: Id(12)] long ContactsCreated,
    [property: Id(13)] long OptIns,
    [property: Id(14)] long OptOuts);
