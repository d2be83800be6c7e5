namespace ChatBoost.Grains.WhatsApp;

/// <summary>What Meta reported about a message we sent. The numeric order is the delivery order.</summary>
public enum MessageDeliveryStatus
{
    Unknown = 0,
    Sent = 1,
    Delivered = 2,
    Read = 3,
    Failed = 4,
}

/// <summary>
/// Status webhooks arrive out of order and more than once, and <c>read</c> may come without <c>delivered</c>.
/// A message's status only moves forward: sent &lt; delivered &lt; read. <c>failed</c> is terminal (its error is kept)
/// but cannot undo a delivery that already happened.
/// </summary>
public static class DeliveryStatus
{
    public static MessageDeliveryStatus Parse(string? raw) => raw?.ToLowerInvariant() switch
    {
        "sent" => MessageDeliveryStatus.Sent,
        "delivered" => MessageDeliveryStatus.Delivered,
        "read" => MessageDeliveryStatus.Read,
        "failed" => MessageDeliveryStatus.Failed,
        _ => MessageDeliveryStatus.Unknown,
    };

    /// <summary>Whether <paramref name="incoming"/> should replace <paramref name="current"/> (null: nothing recorded yet).</summary>
    public static bool ShouldApply(MessageDeliveryStatus? current, MessageDeliveryStatus incoming)
    {
        if (incoming == MessageDeliveryStatus.Unknown)
        {
            return false;
        }

        return current switch
        {
            null or MessageDeliveryStatus.Unknown => true,
            MessageDeliveryStatus.Failed => false,
            // Delivered or read: the customer has the message, a later failure report cannot be true of it.
            _ when incoming == MessageDeliveryStatus.Failed => current == MessageDeliveryStatus.Sent,
            _ => incoming > current,
        };
    }
}
