using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Flows.Engine;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.Grains.Contacts;

/// <summary>Where the contact's next inbound message goes (<see cref="InboundRouting"/>).</summary>
public enum InboundRoute
{
    /// <summary>The active execution is performing a step: the message waits after the cursor (<see cref="InboundDecision.Hold"/>).</summary>
    Hold,

    /// <summary>An opt-out keyword from an opted-in contact: opted out (<c>opted_out</c>), consumed, nothing started.</summary>
    OptOut,

    /// <summary>An opt-in keyword from an opted-out contact: opted in (<c>opted_in</c>), consumed, nothing started.</summary>
    OptIn,

    /// <summary>The execution waiting for a reply takes it.</summary>
    DeliverReply,

    /// <summary>The execution waits for a duration: logged on it, not delivered.</summary>
    LogNotDelivered,

    /// <summary>A keyword trigger marked to interrupt matched while an execution waits: that execution is cancelled first
    /// (its own commit; the message stays after the cursor and is routed again, to the trigger).</summary>
    InterruptWaiting,

    /// <summary>No active execution and a keyword trigger matched: its flow starts with the message.</summary>
    StartKeywordTrigger,

    /// <summary>No active execution, no keyword trigger: the bot's default flow starts with the message.</summary>
    StartDefaultFlow,

    /// <summary>Nothing to start (no default flow, or the contact opted out): consumed only.</summary>
    ConsumeOnly,
}

/// <summary>
/// The precedence for an inbound message, pure, in this order: (0) a running step holds the queue; (1) an opt-out keyword
/// of the bot (by default STOP, UNSUBSCRIBE, END, QUIT, CANCEL, OPTOUT) opts an opted-in contact out, an opt-in keyword (START, UNSTOP) opts an
/// opted-out contact in — either is consumed and starts nothing; an opt-out keyword from a contact already out is
/// consumed only, an opt-in keyword from a contact already in is an ordinary message; (2) an execution waiting for a
/// reply takes it (a duration wait logs it), unless a keyword trigger marked <c>interrupts_waiting</c> matches; (3)
/// keyword triggers by priority, then id; (4) the bot's default flow. An opted-out contact starts nothing.
/// </summary>
public static class InboundRouting
{
    /// <summary>Whether the bot's trigger set is asked (once) for this message: its opt keywords classify any text the
    /// contact can take now (not while a step runs: it waits after the cursor), and <see cref="NeedsTriggerLookup"/> says
    /// whether it also looks for a keyword trigger.</summary>
    public static bool NeedsBotLookup(ExecutionStatus? active, bool hasText) => hasText && active != ExecutionStatus.Running;

    /// <summary>Whether the bot's trigger set must be asked (once) for this message: not while a step runs, not for an
    /// opt-out, not for an opted-out contact.</summary>
    public static bool NeedsTriggerLookup(ExecutionStatus? active, bool optedIn, OptIntent? opt, bool hasText) =>
        hasText && optedIn && active != ExecutionStatus.Running && opt != OptIntent.OptOut;

    public static InboundRoute Decide(ExecutionStatus? active, bool optedIn, OptIntent? opt, bool triggerMatched, bool triggerInterrupts, bool hasDefaultFlow)
    {
        if (active == ExecutionStatus.Running)
        {
            return InboundRoute.Hold;
        }

        switch (opt)
        {
            case OptIntent.OptOut:
                return optedIn ? InboundRoute.OptOut : InboundRoute.ConsumeOnly;
            case OptIntent.OptIn when !optedIn:
                return InboundRoute.OptIn;
        }

        if (active is ExecutionStatus.WaitingForReply or ExecutionStatus.Waiting && optedIn && triggerMatched && triggerInterrupts)
        {
            return InboundRoute.InterruptWaiting;
        }

        if (active is null && optedIn && triggerMatched)
        {
            return InboundRoute.StartKeywordTrigger;
        }

        return InboundRule.Decide(active, optedIn, hasDefaultFlow) switch
        {
            InboundDecision.Hold => InboundRoute.Hold,
            InboundDecision.DeliverReply => InboundRoute.DeliverReply,
            InboundDecision.LogNotDelivered => InboundRoute.LogNotDelivered,
            InboundDecision.StartDefaultFlow => InboundRoute.StartDefaultFlow,
            _ => InboundRoute.ConsumeOnly,
        };
    }
}
