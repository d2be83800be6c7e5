using System.Text.Json;
using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The domain events of the contact grain's commits, derived purely from what the commit changes. The store fills in the
/// contact's and a new execution's ids.
/// </summary>
public static class ContactEventFactory
{
    /// <summary>A contact's first commit. <paramref name="source"/>: <c>whatsapp</c> when the contact wrote (its first message
    /// is consumed in this commit), <c>api</c> when it was created through the API.</summary>
    public static NewContactEvent ContactCreated(long botId, long organizationId, string waId, DateTimeOffset at, string? name, string source) =>
        new(ContactEventTypes.ContactCreated, botId, organizationId, waId, at, DataJson: Data(("name", name), ("source", source)));

    public static NewContactEvent MessageReceived(
        long botId, long organizationId, string waId, long messageId, string messageType, DateTimeOffset at, bool consumedByFlow) =>
        new(ContactEventTypes.MessageReceived, botId, organizationId, waId, at, MessageId: messageId,
            DataJson: Data(("message_type", messageType), ("handled_by", consumedByFlow ? "flow" : "none")));

    public static NewContactEvent OptChanged(long botId, long organizationId, string waId, bool optedIn, DateTimeOffset at, string source) =>
        new(optedIn ? ContactEventTypes.OptedIn : ContactEventTypes.OptedOut, botId, organizationId, waId, at, DataJson: Data(("source", source)));

    /// <summary>
    /// The events of one step: <c>flow_started</c> when <paramref name="started"/>, <c>node_entered</c> for each node the
    /// interpreter entered, and <c>flow_completed</c> or <c>flow_failed</c> when the step ended the execution.
    /// </summary>
    public static IEnumerable<NewContactEvent> ForStep(
        long botId, long organizationId, string waId, long executionId, long flowId, int flowVersion, string trigger,
        bool started, bool wasActive, StepOutcome outcome, IReadOnlyDictionary<long, ProgramNode> nodes, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(nodes);
        long? execution = executionId == 0 ? null : executionId;
        if (started)
        {
            yield return new NewContactEvent(ContactEventTypes.FlowStarted, botId, organizationId, waId, at, ExecutionId: execution, FlowId: flowId,
                DataJson: Data(("trigger", trigger), ("flow_version", flowVersion)));
        }

        foreach (var node in outcome.EnteredNodes)
        {
            yield return new NewContactEvent(ContactEventTypes.NodeEntered, botId, organizationId, waId, at, ExecutionId: execution, FlowId: flowId,
                NodeId: node, DataJson: Data(("node_type", nodes.TryGetValue(node, out var entered) ? entered.Type : null), ("flow_version", flowVersion)));
        }

        if ((started || wasActive) && !outcome.State.IsActive)
        {
            switch (outcome.State.Status)
            {
                case ExecutionStatus.Completed:
                    yield return new NewContactEvent(ContactEventTypes.FlowCompleted, botId, organizationId, waId, at, ExecutionId: execution, FlowId: flowId,
                        DataJson: Data(("trigger", trigger), ("flow_version", flowVersion)));
                    break;
                case ExecutionStatus.Failed:
                    yield return new NewContactEvent(ContactEventTypes.FlowFailed, botId, organizationId, waId, at, ExecutionId: execution, FlowId: flowId,
                        NodeId: outcome.State.CurrentNodeId, DataJson: Data(("trigger", trigger), ("error", outcome.State.Error), ("flow_version", flowVersion)));
                    break;
            }
        }
    }

    private static string Data(params (string Name, object? Value)[] fields)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                data[name] = value;
            }
        }

        return JsonSerializer.Serialize(data);
    }
}
