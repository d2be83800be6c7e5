using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Triggers.Events;

namespace ChatBoost.UnitTests.Triggers;

/// <summary>event_conditions: what they may name per event type, and how each value is compared.</summary>
public class EventConditionsTests
{
    private static ContactEvent Event(string type, string data, long? flowId = null) =>
        new(7, type, 1, 2, "4915100000001", 3, null, null, flowId, null, DateTimeOffset.UnixEpoch, JsonDocument.Parse(data).RootElement.Clone());

    private static bool Matches(string conditions, ContactEvent e, params (string Key, string Type, string Value)[] attributes)
    {
        var byKey = attributes.ToDictionary(a => a.Key, a => new AttributeValue(a.Type, a.Value));
        return EventConditions.Parse(conditions).Matches(EventTriggerTypes.FieldsOf(e), k => byKey.GetValueOrDefault(k));
    }

    private static string[] Problems(string eventType, string conditions) =>
        [.. EventConditions.Problems(eventType, JsonDocument.Parse(conditions).RootElement).Select(p => p.Key)];

    [Fact]
    public void TheSeedsExampleMatchesAContactWhoWroteOnWhatsApp_NotOneCreatedThroughTheApi()
    {
        var whatsApp = Event(ContactEventTypes.ContactCreated, """{"name": "Ann", "source": "whatsapp"}""");
        var api = Event(ContactEventTypes.ContactCreated, """{"source": "api"}""");
        Assert.True(Matches("""{"source": "whatsapp"}""", whatsApp));
        Assert.True(Matches("""{"source": " WhatsApp "}""", whatsApp)); // normalised, any case
        Assert.False(Matches("""{"source": "whatsapp"}""", api));
        Assert.Empty(Problems(EventTriggerTypes.NewContact, """{"source": "whatsapp"}"""));
    }

    [Fact]
    public void NoConditionsAlwaysHold_AndEveryConditionMustHold()
    {
        var e = Event(ContactEventTypes.FlowCompleted, """{"trigger": "api", "flow_version": 2}""", flowId: 12);
        Assert.True(Matches("{}", e));
        Assert.True(EventConditions.Parse(null).Matches(EventTriggerTypes.FieldsOf(e), _ => null));
        Assert.True(Matches("""{"flow_id": 12, "flow_version": 2, "trigger": "api"}""", e));
        Assert.False(Matches("""{"flow_id": 12, "flow_version": 3}""", e));
        Assert.False(Matches("""{"flow_id": 13}""", e));
        Assert.True(Matches("""{"flow_id": "12"}""", e)); // a number field equals a string holding that number
        Assert.False(Matches("""{"flow_id": "twelve"}""", e));
    }

    [Theory]
    [InlineData("number", "25", "25", true)]
    [InlineData("number", "25", "\"25\"", true)]
    [InlineData("number", "25", "25.0", true)]
    [InlineData("number", "25", "26", false)]
    [InlineData("boolean", "true", "true", true)]
    [InlineData("boolean", "true", "\"TRUE\"", true)]
    [InlineData("boolean", "false", "true", false)]
    [InlineData("boolean", "true", "1", false)]
    [InlineData("string", "Gold", "\"gold\"", true)]
    [InlineData("string", "25", "25", true)]
    [InlineData("string", "gold", "\"silver\"", false)]
    [InlineData("json", "{\"a\":1}", "\"{\\\"a\\\":1}\"", false)]
    [InlineData("json", "\"vip\"", "\"vip\"", true)]
    public void AttributesAreComparedByTheirOwnType(string type, string stored, string condition, bool expected)
    {
        var e = Event(ContactEventTypes.MessageReceived, """{"message_type": "text"}""");
        Assert.Equal(expected, Matches($$"""{"attribute.plan": {{condition}}}""", e, ("plan", type, stored)));
    }

    [Fact]
    public void NullMeansAbsent()
    {
        var e = Event(ContactEventTypes.OptedOut, """{"source": "keyword"}""");
        Assert.True(Matches("""{"attribute.plan": null}""", e));
        Assert.False(Matches("""{"attribute.plan": null}""", e, ("plan", "string", "gold")));
        Assert.False(Matches("""{"attribute.plan": "gold"}""", e)); // a condition on an attribute the contact lacks fails
        Assert.True(EventConditions.Parse("""{"attribute.plan": null}""").NeedsAttributes);
        Assert.False(EventConditions.Parse("""{"source": "keyword"}""").NeedsAttributes);
    }

    [Fact]
    public void OnlyTheEventTypesFieldsAndValidAttributeKeysMayBeNamed()
    {
        Assert.Equal(["sorce"], Problems(EventTriggerTypes.NewContact, """{"sorce": "whatsapp"}"""));
        Assert.Equal(["error"], Problems(EventTriggerTypes.FlowCompleted, """{"error": "x"}""")); // only flow_failed has one
        Assert.Empty(Problems(EventTriggerTypes.FlowFailed, """{"error": "x", "flow_id": 1, "attribute.tier-1.x": 2}"""));
        Assert.Equal(["attribute.bad key"], Problems(EventTriggerTypes.OptIn, """{"attribute.bad key": 1}"""));
        Assert.Equal(["attribute."], Problems(EventTriggerTypes.OptIn, """{"attribute.": 1}"""));
    }

    [Fact]
    public void EveryOutletEventATriggerCanReactToMapsToItsEventType()
    {
        Assert.Equal(EventTriggerTypes.NewContact, EventTriggerTypes.FromOutlet(ContactEventTypes.ContactCreated));
        Assert.Equal(EventTriggerTypes.OptOut, EventTriggerTypes.FromOutlet(ContactEventTypes.OptedOut));
        Assert.Null(EventTriggerTypes.FromOutlet(ContactEventTypes.MessageSent));
        Assert.Null(EventTriggerTypes.FromOutlet(ContactEventTypes.NodeEntered));
        var mapped = ContactEventTypes.All.Select(EventTriggerTypes.FromOutlet).Where(t => t is not null).Order(StringComparer.Ordinal);
        Assert.Equal(ChatBoost.Grains.Triggers.TriggerTypes.EventTypes.Order(StringComparer.Ordinal), mapped);
    }
}
