using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.Grains.Analytics;

/// <summary>One row's increment of <c>bot_live_counters</c>: (bot, UTC hour, counter, message type) += count.</summary>
public readonly record struct LiveCounterDelta(long BotId, long OrganizationId, DateTimeOffset Hour, string Counter, string MessageType, long Count);

/// <summary>
/// Folds a batch of events into counter increments (pure): each event counts once in the hour it occurred, and the batch
/// becomes one increment per row. What counts:
/// <list type="bullet">
/// <item><c>message_received</c> / <c>message_sent</c>: messages in / out by <c>data.message_type</c>; a
///   <c>message_sent</c> whose data says <c>"in_doubt": true</c> counts as a send in doubt instead.</item>
/// <item><c>message_status</c>: <c>data.status</c> sent, delivered, read, failed; <c>in_doubt</c> is a send in doubt.</item>
/// <item><c>flow_started</c> / <c>flow_completed</c> / <c>flow_failed</c>: executions; <c>contact_created</c>,
///   <c>opted_in</c>, <c>opted_out</c>: contacts. <c>node_entered</c> is not counted.</item>
/// </list>
/// </summary>
public static class LiveCounterFold
{
    public const string UnknownMessageType = "unknown";

    public static IReadOnlyList<LiveCounterDelta> Fold(IEnumerable<ContactEvent> events)
    {
        var totals = new Dictionary<(long Bot, DateTimeOffset Hour, string Counter, string Type), (long Organization, long Count)>();
        foreach (var contactEvent in events)
        {
            if (CounterOf(contactEvent) is not var (counter, messageType))
            {
                continue;
            }

            var key = (contactEvent.BotId, HourOf(contactEvent.OccurredAt), counter, messageType);
            var (_, count) = totals.GetValueOrDefault(key);
            totals[key] = (contactEvent.OrganizationId, count + 1);
        }

        return totals
            .Select(t => new LiveCounterDelta(t.Key.Bot, t.Value.Organization, t.Key.Hour, t.Key.Counter, t.Key.Type, t.Value.Count))
            .OrderBy(d => d.BotId).ThenBy(d => d.Hour).ThenBy(d => d.Counter, StringComparer.Ordinal).ThenBy(d => d.MessageType, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The start of the UTC hour <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static (string Counter, string MessageType)? CounterOf(ContactEvent contactEvent) => contactEvent.Type switch
    {
        ContactEventTypes.MessageReceived => (LiveCounterNames.MessagesReceived, MessageType(contactEvent.Data)),
        ContactEventTypes.MessageSent when Flag(contactEvent.Data, "in_doubt") => (LiveCounterNames.SendsInDoubt, ""),
        ContactEventTypes.MessageSent => (LiveCounterNames.MessagesSent, MessageType(contactEvent.Data)),
        ContactEventTypes.MessageStatus => Text(contactEvent.Data, "status") switch
        {
            "sent" => (LiveCounterNames.StatusesSent, ""),
            "delivered" => (LiveCounterNames.StatusesDelivered, ""),
            "read" => (LiveCounterNames.StatusesRead, ""),
            "failed" => (LiveCounterNames.StatusesFailed, ""),
            "in_doubt" => (LiveCounterNames.SendsInDoubt, ""),
            _ => null,
        },
        ContactEventTypes.FlowStarted => (LiveCounterNames.ExecutionsStarted, ""),
        ContactEventTypes.FlowCompleted => (LiveCounterNames.ExecutionsCompleted, ""),
        ContactEventTypes.FlowFailed => (LiveCounterNames.ExecutionsFailed, ""),
        ContactEventTypes.ContactCreated => (LiveCounterNames.ContactsCreated, ""),
        ContactEventTypes.OptedIn => (LiveCounterNames.OptIns, ""),
        ContactEventTypes.OptedOut => (LiveCounterNames.OptOuts, ""),
        _ => null,
    };

    private static string MessageType(JsonElement data) =>
        Text(data, "message_type") is { Length: > 0 and <= 64 } type ? type : UnknownMessageType;

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool Flag(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
