using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using Npgsql;

namespace ChatBoost.Grains.Triggers;

/// <summary>
/// The "started" lines of trigger logs: a transactional subscriber of the event outlet. An execution a trigger started
/// carries the trigger in its <c>trigger</c> (<c>keyword:12</c>), which its <c>flow_started</c> event repeats; the line
/// and the trigger's <c>flows_started</c> count are written in the dispatcher's transaction, so exactly once per start.
/// </summary>
public sealed class TriggerLogSubscriber : ITransactionalContactEventSubscriber
{
    public const string SubscriberName = "trigger_logs";

    public string Name => SubscriberName;

    /// <summary>The trigger that started an execution, from its <c>trigger</c> text, or null (API, default flow).</summary>
    public static long? TriggerOf(string? executionTrigger)
    {
        if (executionTrigger is null || executionTrigger.IndexOf(':', StringComparison.Ordinal) is not (> 0 and var colon))
        {
            return null;
        }

        return TriggerTypes.All.Contains(executionTrigger[..colon])
            && long.TryParse(executionTrigger[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : null;
    }

    /// <summary>The log lines of a batch, by trigger id (one lock order for every shard's transaction).</summary>
    public static IReadOnlyList<TriggerLogEntry> StartedLines(IReadOnlyList<ContactEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lines = new List<TriggerLogEntry>();
        foreach (var e in batch)
        {
            if (e.Type != ContactEventTypes.FlowStarted || e.ExecutionId is not { } execution
                || e.Data.ValueKind != JsonValueKind.Object || !e.Data.TryGetProperty("trigger", out var trigger)
                || trigger.ValueKind != JsonValueKind.String || TriggerOf(trigger.GetString()) is not { } triggerId)
            {
                continue;
            }

            lines.Add(new TriggerLogEntry(triggerId, e.BotId, e.OrganizationId, TriggerLogEvents.Started, $"execution:{execution}",
                e.ContactWaId, null, execution, $"flow {e.FlowId} started", e.OccurredAt));
        }

        return [.. lines.OrderBy(l => l.TriggerId)];
    }

    public async Task HandleAsync(
        int shard, IReadOnlyList<ContactEvent> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var line in StartedLines(batch))
        {
            await TriggerLogWriter.WriteAsync(line, connection, transaction, cancellationToken).ConfigureAwait(false);
        }
    }
}
