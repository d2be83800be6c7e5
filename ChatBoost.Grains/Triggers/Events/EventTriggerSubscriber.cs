using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Triggers;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// The outlet's event-trigger subscriber (at least once: it calls grains). For each event that an event trigger can react
/// to (<see cref="EventTriggerTypes.FromOutlet"/>), it asks the bot's trigger set once per batch for its active event
/// triggers and fires them (<see cref="EventTriggerFiring"/>): a contact's events one after another, in the order they
/// committed; different contacts in parallel. A redelivered batch is harmless: starts are keyed by (trigger, event) and
/// log lines by event. Events older than <see cref="TriggerOptions.EventMaxAge"/> fire nothing.
/// </summary>
public sealed class EventTriggerSubscriber(IGrainFactory grains, EventTriggerFiring firing, IOptions<TriggerOptions> options, TimeProvider time)
    : IContactEventSubscriber
{
    public const string SubscriberName = "event_triggers";

    /// <summary>How many contacts of a batch fire at once.</summary>
    public const int Parallelism = 16;

    public string Name => SubscriberName;

    public async Task HandleAsync(IReadOnlyList<ContactEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var oldest = time.GetUtcNow() - options.Value.EventMaxAge;
        var relevant = batch
            .Where(e => e.OccurredAt >= oldest)
            .Select(e => (Event: e, Type: EventTriggerTypes.FromOutlet(e.Type)))
            .Where(x => x.Type is not null)
            .ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        var bots = relevant.Select(x => x.Event.BotId).Distinct().ToList();
        var triggers = (await Task.WhenAll(bots.Select(b => grains.GetGrain<ITriggerSetGrain>(b).EventTriggersAsync())))
            .Select((list, i) => (Bot: bots[i], List: list))
            .Where(x => x.List.Count > 0)
            .ToDictionary(x => x.Bot, x => new BotEventTriggers(x.List));
        var contacts = relevant
            .Where(x => triggers.ContainsKey(x.Event.BotId))
            .GroupBy(x => (x.Event.BotId, x.Event.ContactWaId))
            .ToList();
        await Parallel.ForEachAsync(contacts, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (contact, ct) =>
            {
                foreach (var (e, type) in contact)
                {
                    await firing.FireAsync(e, type!, triggers[e.BotId], ct);
                }
            });
    }
}
