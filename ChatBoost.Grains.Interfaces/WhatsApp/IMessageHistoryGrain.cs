namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// <c>GET /whatsapp/messages/{bot_id}</c>: reads the <c>messages</c> query table (the API never touches the database).
/// A stateless worker: any silo answers, several activations per silo. The caller has already checked that the bot
/// belongs to one of the requester's organizations.
/// </summary>
[Alias("chatboost.whatsapp.IMessageHistoryGrain")]
public interface IMessageHistoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Newest first; <paramref name="limit"/> 1 to 200; <paramref name="cursor"/> is a previous page's next cursor.
    /// Invalid (field <c>limit</c> or <c>cursor</c>) for a bad limit or a cursor this API did not issue.
    /// </summary>
    [Alias("List")]
    Task<CommandResult<MessageHistoryPage>> ListAsync(long botId, string? contactWaId, int limit, string? cursor);
}

[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.MessageHistoryPage")]
public sealed record MessageHistoryPage(
    [property: Id(0)] IReadOnlyList<MessageHistoryItem> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>One stored message. <see cref="MessageId"/> is the outbox id of an outbound message (what a send returned).</summary>
[GenerateSerializer, Immutable, Alias("chatboost.whatsapp.MessageHistoryItem")]
public sealed record MessageHistoryItem(
    [property: Id(0)] long Id,
    [property: Id(1)] Guid? MessageId,
    [property: Id(2)] string? WaMessageId,
    [property: Id(3)] string ContactWaId,
    [property: Id(4)] string Direction,
    [property: Id(5)] string MessageType,
    [property: Id(6)] string? Text,
    [property: Id(7)] string? PayloadJson,
    [property: Id(8)] string Status,
    [property: Id(9)] int? ErrorCode,
    [property: Id(10)] string? ErrorTitle,
    [property: Id(11)] string? ErrorMessage,
    [property: Id(12)] DateTimeOffset? SentAt,
    [property: Id(13)] DateTimeOffset? DeliveredAt,
    [property: Id(14)] DateTimeOffset? ReadAt,
    [property: Id(15)] DateTimeOffset? FailedAt,
    [property: Id(16)] DateTimeOffset? WaTimestamp,
    [property: Id(17)] DateTimeOffset CreatedAt);
