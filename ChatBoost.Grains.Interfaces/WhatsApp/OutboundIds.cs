using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ChatBoost.Grains.Interfaces.WhatsApp;

/// <summary>
/// Deterministic client message ids: the same send always gets the same id, so a retried or recovered send finds its
/// outbox row instead of sending again. A UUID (RFC 9562 version 8, "custom") from the first 16 bytes of the SHA-256 of
/// a namespaced string; the namespace keeps a flow step's id and an API key's id from ever meeting.
/// </summary>
public static class OutboundIds
{
    /// <summary>The send of step <paramref name="step"/> of execution <paramref name="executionId"/>.</summary>
    public static Guid ForFlowStep(long executionId, int step) =>
        FromName(string.Create(CultureInfo.InvariantCulture, $"chatboost/outbound/flow-step/{executionId}/{step}"));

    /// <summary>An API send with an <c>Idempotency-Key</c>: scoped to the bot and the contact, as the key's client sees it.</summary>
    public static Guid ForApi(long botId, string contactWaId, string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(contactWaId);
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        // Lengths first: no two (contact, key) pairs can concatenate to the same string.
        return FromName(string.Create(CultureInfo.InvariantCulture,
            $"chatboost/outbound/api/{botId}/{contactWaId.Length}:{contactWaId}/{idempotencyKey.Length}:{idempotencyKey}"));
    }

    private static Guid FromName(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
