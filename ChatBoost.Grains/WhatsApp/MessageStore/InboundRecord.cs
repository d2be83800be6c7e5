namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>What <see cref="BatchingMessageWriter.RecordInboundAsync"/> did with a message.</summary>
public enum RecordOutcome
{
    /// <summary>This call stored the message; it is durable (committed).</summary>
    Inserted,

    /// <summary>A row with the same (bot, wamid) is already durable: a retry or duplicate delivery by Meta.</summary>
    Duplicate,
}

/// <summary>One inbound message to record in the <c>messages</c> table.</summary>
/// <param name="PayloadJson">Meta's whole message object as JSON (stored as <c>jsonb</c>), or null.</param>
public sealed record InboundRecord(
    long BotId,
    long OrganizationId,
    string ContactWaId,
    string WaMessageId,
    string MessageType,
    string? Text,
    string? PayloadJson,
    DateTimeOffset? WaTimestamp,
    string? ReplyId = null,
    string? ProfileName = null,
    string? FromUserId = null,
    string? Username = null)
{
    /// <summary>
    /// The record of a parsed webhook message. PostgreSQL can store U+0000 neither in <c>text</c> nor in
    /// <c>jsonb</c> (not even escaped), so a NUL is replaced by U+FFFD in the normalised text and in the raw
    /// payload: otherwise one such message would fail its webhook on every one of Meta's retries, for days.
    /// </summary>
    public static InboundRecord From(long botId, long organizationId, InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new InboundRecord(
            botId,
            organizationId,
            message.From,
            message.WaMessageId,
            message.Type,
            message.Text?.Replace('\0', '\uFFFD'),
            message.RawJson.Replace("\\u0000", "\\uFFFD", StringComparison.OrdinalIgnoreCase),
            message.Timestamp,
            Clip(message.ReplyId?.Replace('\0', '\uFFFD'), MessageColumnLimits.ReplyId),
            Clip(message.ProfileName?.Replace('\0', '\uFFFD'), MessageColumnLimits.ProfileName),
            message.FromUserId,
            Clip(message.Username?.Replace('\0', '\uFFFD'), MessageColumnLimits.Username));
    }

    /// <summary>The record of a message given to <see cref="Interfaces.Contacts.IContactGrain.RecordInboundAsync"/> for one contact.</summary>
    public static InboundRecord ForContact(long botId, string contactWaId, Interfaces.Contacts.InboundMessageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new InboundRecord(
            botId, input.OrganizationId, contactWaId, input.WaMessageId, input.MessageType, input.Text, input.PayloadJson,
            input.Timestamp, input.ReplyId, input.ProfileName, input.FromUserId, input.Username);
    }

    /// <summary>
    /// Rejects what the table's constraints would reject, before the record joins a batch: one bad record
    /// must fail its own caller, not the other callers whose messages share its round trip.
    /// </summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BotId);
        RequireText(ContactWaId, MessageColumnLimits.ContactWaId, nameof(ContactWaId));
        RequireText(WaMessageId, MessageColumnLimits.WaMessageId, nameof(WaMessageId));
        RequireText(MessageType, MessageColumnLimits.MessageType, nameof(MessageType));
        if (Text is not null && Text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("Text must not contain U+0000 (PostgreSQL text cannot store it).", nameof(Text));
        }
    }

    private static string? Clip(string? value, int maxLength) =>
        value is null || value.Length <= maxLength ? value : value[..maxLength];

    internal static void RequireText(string? value, int maxLength, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} must be 1 to {maxLength} characters without U+0000.", name);
        }
    }
}

/// <summary>The length limits of 0040_messages.sql's CHECK constraints (keep them in step).</summary>
internal static class MessageColumnLimits
{
    public const int ContactWaId = ContactKeys.MaxLength;
    public const int WaMessageId = 256;
    public const int MessageType = 64;
    public const int ReplyId = 256;
    public const int ProfileName = 256;
    public const int Username = 128;
}
