namespace ChatBoost.Grains.Contacts.Events;

/// <summary>An inbound message after a shard's watermark, with its contact's cursor (null: no <c>contacts</c> row yet).</summary>
public sealed record ScannedInboundMessage(long MessageId, long BotId, string ContactWaId, DateTimeOffset CreatedAt, long? InboundCursor)
{
    public bool IsConsumed => InboundCursor >= MessageId;
}

/// <summary>A contact the sweeper pokes, with why and since when its work waits.</summary>
public sealed record StrandedContact(long BotId, string ContactWaId, string Reason, DateTimeOffset Since);

/// <summary>What a sweep concluded from the inbound messages after the watermark.</summary>
/// <param name="Lagging">Contacts with an unconsumed message older than the grace, oldest first, each once.</param>
/// <param name="Watermark">The new watermark: the end of the consumed, settled prefix of the scan.</param>
public sealed record InboundLagFindings(IReadOnlyList<StrandedContact> Lagging, long Watermark);

/// <summary>
/// The sweeper's rule over inbound messages (pure). A message is stranded when its contact's cursor has not reached it
/// and it is older than the grace (younger lag is the contact grain about to consume it). The watermark moves over the
/// leading run of messages that are consumed and older than the settle bound, and stops at the first that is not: a
/// stranded message holds it, so the message is looked at again on every sweep until it is consumed.
/// </summary>
public static class InboundLagScan
{
    public const string Reason = "inbound_cursor_lag";

    public static InboundLagFindings Evaluate(
        IReadOnlyList<ScannedInboundMessage> scanned, long watermark, DateTimeOffset now, TimeSpan grace, TimeSpan settle, int limit)
    {
        var newWatermark = watermark;
        var prefixOpen = true;
        var lagging = new List<StrandedContact>();
        var seen = new HashSet<(long, string)>();
        foreach (var message in scanned.OrderBy(m => m.MessageId))
        {
            if (prefixOpen && message.IsConsumed && message.CreatedAt <= now - settle)
            {
                newWatermark = message.MessageId;
            }
            else
            {
                prefixOpen = false;
            }

            if (!message.IsConsumed && message.CreatedAt <= now - grace && lagging.Count < limit && seen.Add((message.BotId, message.ContactWaId)))
            {
                lagging.Add(new StrandedContact(message.BotId, message.ContactWaId, Reason, message.CreatedAt));
            }
        }

        return new InboundLagFindings(lagging, newWatermark);
    }
}
