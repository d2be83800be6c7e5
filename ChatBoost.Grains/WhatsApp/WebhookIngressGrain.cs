using ChatBoost.Telemetry;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ChatBoost.Grains.WhatsApp;

/// <inheritdoc cref="IWebhookIngressGrain"/>
/// <remarks>
/// Only changes of authenticated numbers are ingested (see <see cref="IWebhookIngressGrain"/>). Messages are recorded here,
/// through the silo's <see cref="BatchingMessageWriter"/> (different senders concurrently, one sender's messages in payload
/// order), and then the contact grain keyed by (bot, sender) is told one-way: the acknowledgement waits for the durable
/// record only, never for the contact's activation or its flow work. The contact consumes from the stored rows; a lost
/// notification is made good by its next activation or the sweeper (its cursor lags its newest message). Statuses are applied directly with <see cref="MessageStatusWriter"/> (one idempotent, monotonic
/// statement each). An unknown phone number or a status for an unknown message is logged and skipped, never an error:
/// Meta would retry it for days and it can never succeed.
/// </remarks>
[StatelessWorker]
[Reentrant]
public sealed class WebhookIngressGrain(
    WhatsAppNumberCache numbers,
    BatchingMessageWriter messages,
    MessageStatusWriter statuses,
    ContactIdentityResolver identities,
    ChatBoostMetrics metrics,
    ILogger<WebhookIngressGrain> logger) : Grain, IWebhookIngressGrain
{
    public async Task<WebhookIngestResult> IngestAsync(byte[] body, string[] authenticatedPhoneNumberIds)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(authenticatedPhoneNumberIds);
        var authenticated = new HashSet<string>(authenticatedPhoneNumberIds, StringComparer.Ordinal);
        var parsed = WebhookPayloadParser.Parse(body);
        if (!parsed.IsValid)
        {
            return WebhookIngestResult.BadRequest(parsed.Problem!);
        }

        var skipped = parsed.SkippedItems;
        var work = new List<(WhatsAppBotRef Bot, WebhookBatch Batch)>(parsed.Batches.Count);
        foreach (var batch in parsed.Batches)
        {
            if (batch.Messages.Count == 0 && batch.Statuses.Count == 0)
            {
                continue;
            }

            if (!authenticated.Contains(batch.PhoneNumberId))
            {
                // Signed, but not by the app secret of this number's bot: a forgery by another tenant (or a stray
                // change). Dropped exactly like an unknown number, so the answer tells the signer nothing.
                skipped += batch.Messages.Count + batch.Statuses.Count;
                logger.LogWarning(
                    "Webhook change for phone number id {PhoneNumberId} is not signed with the app secret of the bot that owns it: {Messages} messages and {Statuses} statuses dropped",
                    Truncate(batch.PhoneNumberId),
                    batch.Messages.Count,
                    batch.Statuses.Count);
            }
            else if (await numbers.FindAsync(batch.PhoneNumberId) is { } bot)
            {
                work.Add((bot, batch));
            }
            else
            {
                skipped += batch.Messages.Count + batch.Statuses.Count;
                logger.LogWarning(
                    "Webhook for unknown phone number id {PhoneNumberId}: {Messages} messages and {Statuses} statuses acknowledged and dropped",
                    batch.PhoneNumberId,
                    batch.Messages.Count,
                    batch.Statuses.Count);
            }
        }

        // Messages: one task per (bot, sender), each recording that sender's messages in order.
        var perContact = new Dictionary<(long, string), List<InboundRecord>>();
        foreach (var (bot, batch) in work)
        {
            foreach (var message in batch.Messages)
            {
                var record = InboundRecord.From(bot.BotId, bot.OrganizationId, message);
                try
                {
                    record.Validate();
                }
                catch (ArgumentException e)
                {
                    // Would fail on every retry: acknowledge and drop it rather than make Meta retry for days.
                    skipped++;
                    logger.LogWarning("Inbound message {WaMessageId} for bot {BotId} cannot be stored and is dropped: {Reason}", Truncate(message.WaMessageId), bot.BotId, e.Message);
                    continue;
                }

                // The contact: the sender's number, or the contact their business-scoped user id belongs to.
                var key = (bot.BotId, await identities.ResolveAsync(
                    bot.BotId, ContactKeys.IsPhoneNumber(message.From) ? message.From : null, message.FromUserId));
                if (!perContact.TryGetValue(key, out var list))
                {
                    perContact[key] = list = [];
                }

                list.Add(record with { ContactWaId = key.Item2 });
            }
        }

        var recording = perContact.Select(pair => RecordContactAsync(pair.Key.Item1, pair.Key.Item2, pair.Value)).ToList();
        var applying = ApplyStatusesAsync(work);

        // Every message must be durable before we answer; WhenAll surfaces the first failure after all have finished.
        var counts = await Task.WhenAll(recording);
        var (applied, unknown) = await applying;
        metrics.MessagesRecorded(counts.Sum(c => c.Received - c.Duplicates));
        return new WebhookIngestResult(
            null,
            counts.Sum(c => c.Received),
            counts.Sum(c => c.Duplicates),
            applied,
            unknown,
            skipped);
    }

    private async Task<(int Received, int Duplicates)> RecordContactAsync(long botId, string waId, List<InboundRecord> records)
    {
        int received = 0, duplicates = 0;
        DateTimeOffset? newest = null;
        try
        {
            foreach (var record in records)
            {
                var outcome = await messages.RecordInboundAsync(record);
                received++;
                if (outcome == RecordOutcome.Duplicate)
                {
                    duplicates++;
                }

                if (record.WaTimestamp is { } at && (newest is null || at > newest))
                {
                    newest = at;
                }
            }
        }
        finally
        {
            // Also after a failed record (it may have committed all the same), and for a duplicate (a record that committed
            // while the rest of an earlier delivery failed is consumed now).
            GrainFactory.GetGrain<IContactGrain>(botId, waId, null).InboundRecordedAsync(newest).Ignore();
        }

        return (received, duplicates);
    }

    private async Task<(int Processed, int Unknown)> ApplyStatusesAsync(List<(WhatsAppBotRef Bot, WebhookBatch Batch)> work)
    {
        int processed = 0, unknown = 0;
        foreach (var (bot, batch) in work)
        {
            // In payload order: the monotonic rule makes the order irrelevant to the final state anyway.
            foreach (var status in batch.Statuses)
            {
                StatusApplyOutcome outcome;
                try
                {
                    outcome = await statuses.ApplyStatusAsync(bot.BotId, status);
                }
                catch (ArgumentException)
                {
                    // A message id the table cannot hold (too long, U+0000): no message of ours has it.
                    logger.LogWarning("A status for bot {BotId} has an unusable message id and is dropped", bot.BotId);
                    continue;
                }

                processed++;
                if (outcome == StatusApplyOutcome.UnknownMessage)
                {
                    unknown++;
                    logger.LogInformation(
                        "Status {Status} for unknown message {WaMessageId} of bot {BotId} acknowledged and kept until its wamid is stored (or the TTL passes)",
                        status.RawStatus,
                        Truncate(status.WaMessageId),
                        bot.BotId);
                }
            }
        }

        return (processed, unknown);
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
