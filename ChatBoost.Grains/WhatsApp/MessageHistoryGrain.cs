using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Orleans.Concurrency;

namespace ChatBoost.Grains.WhatsApp;

/// <inheritdoc cref="IMessageHistoryGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class MessageHistoryGrain(MessageHistoryQuery query) : Grain, IMessageHistoryGrain
{
    public async Task<CommandResult<MessageHistoryPage>> ListAsync(long botId, string? contactWaId, int limit, string? cursor)
    {
        if (limit is < 1 or > MessageHistoryQuery.MaxLimit)
        {
            return CommandResult.Fail<MessageHistoryPage>(CommandStatus.Invalid, $"Must be a whole number from 1 to {MessageHistoryQuery.MaxLimit}.", "limit");
        }

        if (!string.IsNullOrEmpty(cursor))
        {
            try
            {
                MessageCursor.Decode(cursor);
            }
            catch (FormatException)
            {
                return CommandResult.Fail<MessageHistoryPage>(CommandStatus.Invalid, "Not a cursor this API returned (use next_cursor from a previous page).", "cursor");
            }
        }

        var page = await query.ListAsync(botId, contactWaId, limit, cursor);
        return CommandResult.Ok(new MessageHistoryPage(
            [.. page.Items.Select(m => new MessageHistoryItem(
                m.Id, m.ClientMessageId, m.WaMessageId, m.ContactWaId, m.Direction, m.MessageType, m.Text, m.PayloadJson, m.Status,
                m.ErrorCode, m.ErrorTitle, m.ErrorMessage, m.SentAt, m.DeliveredAt, m.ReadAt, m.FailedAt, m.WaTimestamp, m.CreatedAt))],
            page.NextCursor));
    }
}
