using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Contacts;

/// <summary>What consuming the contact's next inbound message (the first after its cursor) does.</summary>
public enum InboundDecision
{
    /// <summary>Not now: the active execution is performing a step (a send or webhook call in flight, or a send waiting for
    /// its pacing slot). The message stays after the cursor, durably, until the execution waits for a reply or ends.</summary>
    Hold,

    /// <summary>The execution waits for a reply: the message is the reply (consumed in the step's transaction).</summary>
    DeliverReply,

    /// <summary>The execution waits for a duration: the message is logged on it, not delivered (consumed).</summary>
    LogNotDelivered,

    /// <summary>No active execution: start the bot's default flow with the message as <c>state.trigger_message</c>.</summary>
    StartDefaultFlow,

    /// <summary>No active execution and nothing to start (no default flow, or the contact opted out): consumed only.</summary>
    ConsumeOnly,
}

/// <summary>
/// The cursor rule, pure: a message is consumed exactly once, in id order, in the same transaction as the step it causes;
/// a message the engine cannot take yet is held (never dropped, never taken out of order).
/// </summary>
public static class InboundRule
{
    public static InboundDecision Decide(ExecutionStatus? activeExecution, bool optedIn, bool hasDefaultFlow) => activeExecution switch
    {
        ExecutionStatus.Running => InboundDecision.Hold,
        ExecutionStatus.WaitingForReply => InboundDecision.DeliverReply,
        ExecutionStatus.Waiting => InboundDecision.LogNotDelivered,
        null when optedIn && hasDefaultFlow => InboundDecision.StartDefaultFlow,
        _ => InboundDecision.ConsumeOnly,
    };

}
