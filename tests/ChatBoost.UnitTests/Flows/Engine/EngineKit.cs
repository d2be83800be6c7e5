using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.UnitTests.Flows.Engine;

/// <summary>Helpers for the interpreter tests: programs built from published-version JSON, a contact, a clock.</summary>
internal static class EngineKit
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 15, 9, 30, 0, TimeSpan.Zero);

    public const string Phone = "15551234567";

    public static ContactContext Contact(string? name = "Ana Maria Souza", params (string Key, string Type, string Value)[] attributes) =>
        new(Phone, name, attributes.ToDictionary(a => a.Key, a => new AttributeValue(a.Type, a.Value), StringComparer.Ordinal));

    public static (long Id, string Type, string Config) Node(long id, string type, string config) => (id, type, config);

    /// <summary>A program loaded from the same snapshot JSON a published version stores.</summary>
    public static FlowProgram Program(params (long Id, string Type, string Config)[] nodes) => ProgramWithEntry(null, nodes);

    public static FlowProgram ProgramWithEntry(long? entry, params (long Id, string Type, string Config)[] nodes) =>
        FlowProgram.Load(7, 3, FlowDocuments.Snapshot(entry, nodes.Select(n => new FlowDefinitionNode(n.Id, n.Type, null, n.Config))));

    public static string N(long? id) => id is null ? "null" : id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Q(string text) => JsonSerializer.Serialize(text);

    public static (long, string, string) SendText(long id, string text, long? next) =>
        Node(id, FlowNodeTypes.SendMessage, $$"""{"message_type":"text","content":{"text":{{Q(text)}}},"next":{{N(next)}}}""");

    public static (long, string, string) WaitSeconds(long id, double seconds, long? next) =>
        Node(id, FlowNodeTypes.Wait, $$"""{"duration":{{seconds}},"unit":"seconds","next":{{N(next)}}}""");

    public static (long, string, string) WaitReply(long id, long? next, long? timeoutPath, string? store = null) =>
        Node(id, FlowNodeTypes.Wait,
            $$"""{"until":"reply","timeout":1,"timeout_unit":"hours",{{(store is null ? "" : $"\"store_response_in\":{Q(store)},")}}"next":{{N(next)}},"timeout_path":{{N(timeoutPath)}}}""");

    public static (long, string, string) Condition(long id, string variable, string op, string? valueJson, long? truePath, long? falsePath) =>
        Node(id, FlowNodeTypes.Condition,
            $$"""{"variable":{{Q(variable)}},"operator":{{Q(op)}},{{(valueJson is null ? "" : $"\"value\":{valueJson},")}}"true_path":{{N(truePath)}},"false_path":{{N(falsePath)}}}""");

    public static (long, string, string) SetAttribute(long id, string key, string value, string type, long? next) =>
        Node(id, FlowNodeTypes.SetAttribute,
            $$"""{"attribute_key":{{Q(key)}},"attribute_value":{{Q(value)}},"value_type":{{Q(type)}},"next":{{N(next)}}}""");

    public static (long, string, string) Webhook(long id, long? next, long? errorPath = null, string? store = null) =>
        Node(id, FlowNodeTypes.WebhookAction,
            $$"""{"url":"https://api.example.com/hook",{{(store is null ? "" : $"\"store_response_in\":{Q(store)},")}}"next":{{N(next)}},"error_path":{{N(errorPath)}}}""");

    public static StepOutcome Start(
        FlowProgram program, ContactContext? contact = null, string variablesJson = "{}", ExecutionLimits? limits = null, DateTimeOffset? at = null) =>
        FlowInterpreter.Start(program, new StartEvent(Vars(variablesJson)), contact ?? Contact(), at ?? T0, limits ?? ExecutionLimits.Default);

    public static StepOutcome Apply(
        FlowProgram program, ExecutionSnapshot state, FlowEvent e, DateTimeOffset? at = null, ContactContext? contact = null, ExecutionLimits? limits = null) =>
        FlowInterpreter.Apply(program, state, e, contact ?? Contact(), at ?? T0, limits ?? ExecutionLimits.Default);

    public static StepOutcome Sent(FlowProgram program, StepOutcome previous, DateTimeOffset? at = null, ContactContext? contact = null) =>
        Apply(program, previous.State, new SendCompletedEvent(true, null), at, contact);

    public static IReadOnlyDictionary<string, JsonElement> Vars(string json) => ExecutionSnapshot.DeserializeVariables(json);

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static string VariableJson(ExecutionSnapshot state, string name) => FlowRendering.ToCompactJson(state.Variables[name]);

    public static T SingleEffect<T>(StepOutcome outcome) where T : FlowEffect => Assert.IsType<T>(Assert.Single(outcome.Effects));

    /// <summary>The text of the message sent by this outcome: its last effect (the only external one).</summary>
    public static string SentText(StepOutcome outcome)
    {
        Assert.NotEmpty(outcome.Effects);
        var send = Assert.IsType<SendMessageEffect>(outcome.Effects[^1]);
        Assert.Single(outcome.Effects.OfType<SendMessageEffect>());
        return Assert.IsType<ChatBoost.Grains.WhatsApp.OutboundText>(send.Message).Body;
    }

    public static void AssertCompleted(StepOutcome outcome)
    {
        Assert.Equal(ExecutionStatus.Completed, outcome.State.Status);
        Assert.Null(outcome.State.CurrentNodeId);
        Assert.NotNull(outcome.State.EndedAt);
        Assert.Null(outcome.State.PendingEffect);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Completed);
    }

    public static void AssertFailed(StepOutcome outcome, long? nodeId, string reasonFragment)
    {
        Assert.Equal(ExecutionStatus.Failed, outcome.State.Status);
        Assert.Equal(nodeId, outcome.State.CurrentNodeId);
        Assert.Contains(reasonFragment, outcome.State.Error, StringComparison.Ordinal);
        Assert.NotNull(outcome.State.EndedAt);
        Assert.Null(outcome.State.PendingEffect);
        Assert.Contains(outcome.Logs, l => l.Event == StepLogEvents.Failed && l.Level == StepLogLevels.Error && l.Detail == outcome.State.Error);
    }

    public static void AssertUnchanged(ExecutionSnapshot before, StepOutcome outcome)
    {
        Assert.Same(before, outcome.State);
        Assert.Empty(outcome.Effects);
    }
}
