using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Contacts;

/// <summary>The inbound side of the contact grain: record, remember, return.</summary>
public sealed partial class ContactGrain
{
    private BatchingMessageWriter? _messageWriter;

    private BatchingMessageWriter MessageWriter => _messageWriter ??= ServiceProvider.GetRequiredService<BatchingMessageWriter>();

    public async Task<InboundOutcome> RecordInboundAsync(InboundMessageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // 1. The durable record: one row, de-duplicated by the table's unique (bot, wamid), committed in a batch with
        //    other grains' rows. Duplicate also means "already durable".
        var outcome = await MessageWriter.RecordInboundAsync(new InboundRecord(
            BotId, input.OrganizationId, WaId, input.WaMessageId, input.MessageType, input.Text, input.PayloadJson, input.Timestamp));

        // 2. The 24-hour window: the newest customer message (Meta's time, else now), kept in memory only.
        var at = input.Timestamp ?? time.GetUtcNow();
        if (LastInboundAt is null || at > LastInboundAt)
        {
            LastInboundAt = at;
        }

        // 3. The contact and its profile name; grain state is written only when they change.
        await RememberContactAsync(input.ProfileName);

        if (outcome == RecordOutcome.Duplicate)
        {
            return InboundOutcome.Duplicate;
        }

        await OnInboundRecordedAsync(input);
        return InboundOutcome.Recorded;
    }

    /// <summary>
    /// HOOK POINT for later issues (triggers, flows): runs once per newly recorded message, inside the grain, so
    /// processing stays serialised per contact. It must not delay the webhook's acknowledgement: when it does real
    /// work, queue it here (e.g. a grain-local work queue drained by a timer or by a call to self) and return — never
    /// fire-and-forget, never await the processing itself. Today it does nothing.
    /// </summary>
    private static Task OnInboundRecordedAsync(InboundMessageInput input)
    {
        _ = input;
        return Task.CompletedTask;
    }
}
