using System.Text.Json;
using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.UnitTests.Analytics;

public class LiveCounterFoldTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 15, 0, TimeSpan.Zero);
    private static long _nextId;

    private static ContactEvent Event(string type, string data = "{}", DateTimeOffset? at = null, long bot = 7) =>
        new(Interlocked.Increment(ref _nextId), type, bot, 70, "4915100000001", null, null, null, null, null, at ?? T0, JsonDocument.Parse(data).RootElement.Clone());

    [Fact]
    public void Each_event_counts_once_in_its_UTC_hour_under_its_counter()
    {
        var deltas = LiveCounterFold.Fold(
        [
            Event(ContactEventTypes.MessageReceived, """{"message_type":"text"}"""),
            Event(ContactEventTypes.MessageReceived, """{"message_type":"text"}"""),
            Event(ContactEventTypes.MessageReceived, """{"message_type":"image"}""", T0.AddHours(1)),
            Event(ContactEventTypes.MessageReceived),
            Event(ContactEventTypes.MessageSent, """{"message_type":"template","client_message_id":"x"}"""),
            Event(ContactEventTypes.MessageSent, """{"message_type":"text","in_doubt":true}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"delivered"}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"read"}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"failed","error_code":131026}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"sent"}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"in_doubt"}"""),
            Event(ContactEventTypes.MessageStatus, """{"status":"deleted"}"""),
            Event(ContactEventTypes.FlowStarted, """{"trigger":"inbound"}"""),
            Event(ContactEventTypes.NodeEntered, """{"node_type":"send_message"}"""),
            Event(ContactEventTypes.FlowCompleted),
            Event(ContactEventTypes.FlowFailed, """{"error":"x"}"""),
            Event(ContactEventTypes.ContactCreated),
            Event(ContactEventTypes.OptedOut),
            Event(ContactEventTypes.OptedIn),
            Event(ContactEventTypes.FlowStarted, bot: 8, at: new DateTimeOffset(2026, 12, 1, 12, 59, 59, TimeSpan.FromHours(2))),
        ]);

        var hour = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            new[]
            {
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.ContactsCreated, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.ExecutionsCompleted, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.ExecutionsFailed, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.ExecutionsStarted, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.MessagesReceived, "text", 2),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.MessagesReceived, LiveCounterFold.UnknownMessageType, 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.MessagesSent, "template", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.OptIns, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.OptOuts, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.SendsInDoubt, "", 2),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.StatusesDelivered, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.StatusesFailed, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.StatusesRead, "", 1),
                new LiveCounterDelta(7, 70, hour, LiveCounterNames.StatusesSent, "", 1),
                new LiveCounterDelta(7, 70, hour.AddHours(1), LiveCounterNames.MessagesReceived, "image", 1),
                new LiveCounterDelta(8, 70, hour, LiveCounterNames.ExecutionsStarted, "", 1),
            },
            deltas);
    }

    [Fact]
    public void Folding_in_any_split_sums_to_folding_at_once()
    {
        var random = new Random(42);
        string[] types = [ContactEventTypes.MessageReceived, ContactEventTypes.MessageStatus, ContactEventTypes.FlowStarted];
        var events = Enumerable.Range(0, 300)
            .Select(i => Event(
                types[random.Next(types.Length)],
                random.Next(2) == 0 ? """{"message_type":"text","status":"read"}""" : """{"message_type":"audio","status":"sent"}""",
                T0.AddMinutes(random.Next(0, 240)),
                bot: random.Next(1, 4)))
            .ToList();

        var whole = LiveCounterFold.Fold(events);
        var split = events.Chunk(37).SelectMany(LiveCounterFold.Fold)
            .GroupBy(d => (d.BotId, d.Hour, d.Counter, d.MessageType))
            .Select(g => g.First() with { Count = g.Sum(d => d.Count) })
            .OrderBy(d => d.BotId).ThenBy(d => d.Hour).ThenBy(d => d.Counter, StringComparer.Ordinal).ThenBy(d => d.MessageType, StringComparer.Ordinal);
        Assert.Equal(whole, split);
        Assert.Equal(300, whole.Sum(d => d.Count));
    }
}
