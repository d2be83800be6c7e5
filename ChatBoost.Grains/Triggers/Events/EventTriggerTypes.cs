using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// The seed's <c>event_type</c> values, the outlet events they fire on, and the fields of each that
/// <c>event_conditions</c> may name (besides <c>attribute.KEY</c>, the contact's attributes).
/// </summary>
public static class EventTriggerTypes
{
    public const string NewContact = "new_contact";
    public const string MessageReceived = "message_received";
    public const string OptIn = "opt_in";
    public const string OptOut = "opt_out";
    public const string FlowCompleted = "flow_completed";
    public const string FlowFailed = "flow_failed";

    private static readonly Dictionary<string, string> ByOutletType = new(StringComparer.Ordinal)
    {
        [ContactEventTypes.ContactCreated] = NewContact,
        [ContactEventTypes.MessageReceived] = MessageReceived,
        [ContactEventTypes.OptedIn] = OptIn,
        [ContactEventTypes.OptedOut] = OptOut,
        [ContactEventTypes.FlowCompleted] = FlowCompleted,
        [ContactEventTypes.FlowFailed] = FlowFailed,
    };

    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        [NewContact] = ["source", "name"],
        [MessageReceived] = ["message_type", "handled_by"],
        [OptIn] = ["source"],
        [OptOut] = ["source"],
        [FlowCompleted] = ["flow_id", "flow_version", "trigger"],
        [FlowFailed] = ["flow_id", "flow_version", "trigger", "error"],
    };

    /// <summary>The trigger event type an outlet event fires (<c>contact_created</c> → <c>new_contact</c>), or null.</summary>
    public static string? FromOutlet(string outletType) => ByOutletType.GetValueOrDefault(outletType);

    /// <summary>The event fields a condition of this event type may name.</summary>
    public static IReadOnlyList<string> FieldsOf(string eventType) => Fields.TryGetValue(eventType, out var fields) ? fields : [];

    /// <summary>Whether a trigger of this type reacts to the end of a flow: its starts can form a chain (a loop), so they are
    /// bounded per contact (<see cref="TriggerChain"/>).</summary>
    public static bool IsChain(string eventType) => eventType is FlowCompleted or FlowFailed;

    /// <summary>The fields of an outlet event as conditions see them: its <c>data</c> object, and <c>flow_id</c>.</summary>
    public static IReadOnlyDictionary<string, JsonElement> FieldsOf(ContactEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (e.Data.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in e.Data.EnumerateObject())
            {
                fields[property.Name] = property.Value;
            }
        }

        if (e.FlowId is { } flowId)
        {
            fields["flow_id"] = JsonSerializer.SerializeToElement(flowId);
        }

        return fields;
    }
}
