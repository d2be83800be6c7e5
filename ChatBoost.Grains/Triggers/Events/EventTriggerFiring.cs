using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Triggers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Triggers.Events;

/// <summary>
/// Fires a bot's event triggers for one outlet event, in rank order: the first whose conditions hold (and whose chain
/// bound allows it) asks the contact to start its flow with the key <c>event:&lt;trigger&gt;:&lt;event&gt;</c>, so a
/// redelivered event starts nothing twice. Every matching trigger's log gets a <c>matched</c> line, and a <c>skipped</c>
/// or <c>failed</c> line saying why nothing started (the <c>started</c> line comes from the outlet's <c>flow_started</c>
/// event, <see cref="TriggerLogSubscriber"/>). All lines are keyed by the event, so a redelivery logs nothing twice.
/// </summary>
public sealed class EventTriggerFiring(
    IGrainFactory grains, EventTriggerStore store, TriggerLogWriter logs, IOptions<TriggerOptions> options, TimeProvider time,
    ILogger<EventTriggerFiring> logger)
{
    /// <summary>The execution <c>trigger</c> text of an event trigger.</summary>
    public static string ExecutionTrigger(long triggerId) => $"{TriggerTypes.Event}:{triggerId}";

    /// <summary>The deterministic start key of (trigger, event).</summary>
    public static string StartKey(long triggerId, long eventId) => $"{TriggerTypes.Event}:{triggerId}:{eventId}";

    /// <param name="e">The event.</param>
    /// <param name="eventType">Its trigger event type (<see cref="EventTriggerTypes.FromOutlet"/>).</param>
    /// <param name="triggers">The bot's active event triggers, ranked, with their conditions parsed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task FireAsync(ContactEvent e, string eventType, BotEventTriggers triggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(triggers);
        var fields = EventTriggerTypes.FieldsOf(e);
        IReadOnlyDictionary<string, AttributeValue>? attributes = null;
        foreach (var (trigger, conditions) in triggers.Ranked)
        {
            // A trigger reacts to what happens after it exists: the outlet's history (a new subscriber reads it all) is not news.
            if (trigger.Definition.EventType != eventType || e.OccurredAt < trigger.CreatedAt)
            {
                continue;
            }

            if (conditions.NeedsAttributes && attributes is null)
            {
                attributes = await AttributesAsync(e);
            }

            if (!conditions.Matches(fields, key => attributes?.GetValueOrDefault(key)))
            {
                continue;
            }

            await LogAsync(trigger, e, TriggerLogEvents.Matched, $"{eventType} event {e.Id}", cancellationToken);
            if (await StartAsync(trigger, e, eventType, triggers, cancellationToken))
            {
                return; // one execution per contact: the first trigger that started (or had started) its flow wins
            }
        }
    }

    /// <summary>True when the trigger's flow started now or before for this event.</summary>
    private async Task<bool> StartAsync(TriggerView trigger, ContactEvent e, string eventType, BotEventTriggers triggers, CancellationToken cancellationToken)
    {
        var key = StartKey(trigger.Id, e.Id);
        if (EventTriggerTypes.IsChain(eventType))
        {
            var chain = options.Value.Chain;
            var now = time.GetUtcNow();
            var (starts, alreadyStarted) = await store.ChainStartsAsync(e.BotId, e.ContactWaId, triggers.ChainExecutionTriggers, now - chain.Window, chain.MaxStarts, key, cancellationToken);
            if (alreadyStarted)
            {
                return true;
            }

            var decision = chain.Decide(starts, now);
            if (!decision.Allowed)
            {
                logger.LogWarning("Trigger {TriggerId}: chain bound reached for contact ({BotId}, {WaId}) at event {EventId}; refused",
                    trigger.Id, e.BotId, e.ContactWaId, e.Id);
                await LogAsync(trigger, e, TriggerLogEvents.Skipped, chain.Refusal(decision), cancellationToken);
                return false;
            }
        }

        var initial = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["trigger_id"] = trigger.Id,
            ["trigger_event"] = eventType,
            ["trigger_event_id"] = e.Id,
        });
        var outcome = await grains.GetGrain<IContactGrain>(e.BotId, e.ContactWaId, null)
            .StartAutomatedAsync(new AutomatedStartCommand(trigger.Definition.FlowId, trigger.OrganizationId, ExecutionTrigger(trigger.Id), key, initial));
        switch (outcome.Status)
        {
            case AutomatedStartStatuses.Started or AutomatedStartStatuses.AlreadyStarted:
                return true;
            case AutomatedStartStatuses.FlowUnavailable:
                await LogAsync(trigger, e, TriggerLogEvents.Failed, $"{outcome.Detail}; nothing started", cancellationToken);
                return false;
            default:
                await LogAsync(trigger, e, TriggerLogEvents.Skipped, $"{outcome.Detail}; nothing started", cancellationToken);
                return false;
        }
    }

    private async Task<IReadOnlyDictionary<string, AttributeValue>> AttributesAsync(ContactEvent e)
    {
        var contact = await grains.GetGrain<IContactGrain>(e.BotId, e.ContactWaId, null).GetAsync(includeAttributes: true);
        return (contact?.Attributes ?? []).ToDictionary(a => a.Key, a => new AttributeValue(a.ValueType, a.Value), StringComparer.Ordinal);
    }

    private Task LogAsync(TriggerView trigger, ContactEvent e, string @event, string detail, CancellationToken cancellationToken) =>
        logs.WriteAsync(new TriggerLogEntry(trigger.Id, e.BotId, trigger.OrganizationId, @event, $"event:{e.Id}", e.ContactWaId, null, null,
            detail, time.GetUtcNow()), cancellationToken);
}
