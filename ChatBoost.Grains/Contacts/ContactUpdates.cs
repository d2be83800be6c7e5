namespace ChatBoost.Grains.Contacts;

/// <summary>Pure rules for the contact's row and WhatsApp's windows.</summary>
public static class ContactUpdates
{
    /// <summary>WhatsApp's customer-service window: free-form messages only within it after the customer's last message.</summary>
    public static readonly TimeSpan CustomerServiceWindow = TimeSpan.FromHours(24);

    /// <summary>The list's last-inbound time is refreshed at most this often (the exact time is in the messages table).</summary>
    public static readonly TimeSpan LastInboundRefresh = TimeSpan.FromMinutes(1);

    public const string OutsideWindowDetail = "outside the 24-hour customer-service window: only template messages can be sent";

    public const string OptedOutDetail =
        "the contact opted out of messages: outside the 24-hour window (the customer's own message) nothing may be sent to them";

    public static bool WithinWindow(DateTimeOffset? lastInboundAt, DateTimeOffset now) =>
        lastInboundAt is { } last && now - last <= CustomerServiceWindow;

    /// <summary>
    /// The contact's row after consuming <paramref name="message"/>: the cursor moves to it, the WhatsApp profile name it
    /// carried is kept (with the username and BSUID Meta sent), and the list's last-inbound time is refreshed when it is a
    /// minute stale.
    /// </summary>
    internal static ContactRecord Consumed(ContactRecord contact, PendingInbound message, DateTimeOffset? lastInboundAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ArgumentNullException.ThrowIfNull(message);
        var nameChanged = message.ProfileName is { Length: > 0 } name && name != contact.Name;
        var last = lastInboundAt is { } known && known > message.At ? known : message.At;
        var inboundStale = contact.StoredLastInboundAt is not { } stored || last - stored >= LastInboundRefresh;
        return contact with
        {
            InboundCursor = Math.Max(contact.InboundCursor, message.Id),
            Name = nameChanged ? message.ProfileName : contact.Name,
            UpdatedAt = nameChanged ? now : contact.UpdatedAt,
            StoredLastInboundAt = inboundStale ? last : contact.StoredLastInboundAt,
            Username = message.Username ?? contact.Username,
            Bsuid = message.FromUserId ?? contact.Bsuid,
        };
    }
}
