using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.Grains.Triggers;

/// <summary>
/// A bot's live triggers in memory, with the active keyword triggers compiled into one <see cref="KeywordMatcher"/> and the active event triggers ranked
/// (rebuilt on every change: changes are rare, matches are per message). Pure: the grain loads and stores the rows.
/// </summary>
public sealed class TriggerSet
{
    private readonly SortedDictionary<long, TriggerView> _triggers = [];

    public TriggerSet(IEnumerable<TriggerView> triggers)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        foreach (var trigger in triggers)
        {
            _triggers[trigger.Id] = trigger;
        }

        Compile();
    }

    public KeywordMatcher Matcher { get; private set; } = null!;

    /// <summary>The active event triggers, by priority (highest first), then id.</summary>
    public IReadOnlyList<TriggerView> EventTriggers { get; private set; } = [];

    public int Count => _triggers.Count;

    public IReadOnlyList<TriggerView> All => [.. _triggers.Values];

    public TriggerView? Get(long triggerId) => _triggers.GetValueOrDefault(triggerId);

    public void Put(TriggerView trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        _triggers[trigger.Id] = trigger;
        Compile();
    }

    public void Remove(long triggerId)
    {
        if (_triggers.Remove(triggerId))
        {
            Compile();
        }
    }

    private void Compile()
    {
        Matcher = new KeywordMatcher(_triggers.Values
            .Where(t => t.Definition is { TriggerType: TriggerTypes.Keyword, IsActive: true })
            .Select(t => TriggerRules.Rule(t.Id, t.Definition)));
        EventTriggers = [.. _triggers.Values
            .Where(t => t.Definition is { TriggerType: TriggerTypes.Event, IsActive: true })
            .OrderByDescending(t => t.Definition.Priority).ThenBy(t => t.Id)];
    }
}
