using ChatBoost.Grains.Interfaces.Analytics;

namespace ChatBoost.Grains.Analytics;

/// <summary>Turns stored counter rows into the grain's answer (pure): one bucket per hour that has rows, and the totals.</summary>
public static class LiveCounterReport
{
    public static BotLiveCounters Build(long botId, DateTimeOffset from, DateTimeOffset to, IEnumerable<LiveCounterRow> rows)
    {
        var hours = rows
            .GroupBy(r => r.Hour.ToUniversalTime())
            .OrderBy(g => g.Key)
            .Select(g => new LiveCounterHour(g.Key, Values(g)))
            .ToList();
        return new BotLiveCounters(botId, from, to, Values(rows), hours);
    }

    private static LiveCounterValues Values(IEnumerable<LiveCounterRow> rows)
    {
        var list = rows as IReadOnlyCollection<LiveCounterRow> ?? rows.ToList();
        long Sum(string counter) => list.Where(r => r.Counter == counter).Sum(r => r.Count);
        Dictionary<string, long> ByType(string counter) => list
            .Where(r => r.Counter == counter)
            .GroupBy(r => r.MessageType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Count), StringComparer.Ordinal);

        return new LiveCounterValues(
            MessagesReceived: Sum(LiveCounterNames.MessagesReceived),
            MessagesSent: Sum(LiveCounterNames.MessagesSent),
            MessagesReceivedByType: ByType(LiveCounterNames.MessagesReceived),
            MessagesSentByType: ByType(LiveCounterNames.MessagesSent),
            StatusesSent: Sum(LiveCounterNames.StatusesSent),
            StatusesDelivered: Sum(LiveCounterNames.StatusesDelivered),
            StatusesRead: Sum(LiveCounterNames.StatusesRead),
            StatusesFailed: Sum(LiveCounterNames.StatusesFailed),
            SendsInDoubt: Sum(LiveCounterNames.SendsInDoubt),
            ExecutionsStarted: Sum(LiveCounterNames.ExecutionsStarted),
            ExecutionsCompleted: Sum(LiveCounterNames.ExecutionsCompleted),
            ExecutionsFailed: Sum(LiveCounterNames.ExecutionsFailed),
            ContactsCreated: Sum(LiveCounterNames.ContactsCreated),
            OptIns: Sum(LiveCounterNames.OptIns),
            OptOuts: Sum(LiveCounterNames.OptOuts));
    }
}
