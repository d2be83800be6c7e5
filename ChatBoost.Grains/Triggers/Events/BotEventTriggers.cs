using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// A bot's active event triggers as fetched for one outlet batch, ranked (<see cref="ITriggerSetGrain.EventTriggersAsync"/>):
/// each trigger's conditions are parsed once here, not once per event, and the chain triggers' execution names are listed
/// once for the chain bound's count.
/// </summary>
public sealed class BotEventTriggers
{
    public BotEventTriggers(IReadOnlyList<TriggerView> ranked)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        Ranked = [.. ranked.Select(t => (t, EventConditions.Parse(t.Definition.EventConditionsJson)))];
        ChainExecutionTriggers = [.. ranked
            .Where(t => EventTriggerTypes.IsChain(t.Definition.EventType!))
            .Select(t => EventTriggerFiring.ExecutionTrigger(t.Id))];
    }

    public IReadOnlyList<(TriggerView Trigger, EventConditions Conditions)> Ranked { get; }

    /// <summary>The execution <c>trigger</c> texts of the bot's flow_completed / flow_failed triggers.</summary>
    public IReadOnlyList<string> ChainExecutionTriggers { get; }
}
