using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Contacts;

/// <summary>The inbound side of the contact grain: record, remember, queue for the flow engine, return.</summary>
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

        // 2. The 24-hour window: the newest customer message (Meta's time, else now), kept in memory.
        var at = input.Timestamp ?? time.GetUtcNow();
        if (LastInboundAt is null || at > LastInboundAt)
        {
            LastInboundAt = at;
        }

        // 3. The contact's row and profile name; written only when they change (and the list's last-inbound time at
        //    most once a minute).
        try
        {
            await EnsureContactAsync(input.OrganizationId, input.ProfileName);
        }
        catch (Exception e)
        {
            ReloadOnNextCall(e, "recording the contact");
            throw;
        }

        if (outcome == RecordOutcome.Duplicate)
        {
            return InboundOutcome.Duplicate;
        }

        // 4. The flow engine sees the message after the acknowledgement: queued here, handled in a later turn of this
        //    grain, in arrival order.
        EnqueueInbound(input);
        return InboundOutcome.Recorded;
    }
}
