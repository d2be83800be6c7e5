using System.Security.Cryptography;
using System.Text;
using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>One message to send, with its deterministic outbox key.</summary>
/// <param name="NotAfter">The latest time the HTTP attempt may start (the caller's deadline); null: no deadline.</param>
public sealed record OutboundSend(
    Guid ClientMessageId,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    OutboundMessage Message,
    DateTimeOffset? NotAfter,
    long? ExecutionId = null);

/// <summary>What became of an <see cref="OutboundSend"/>.</summary>
public abstract record OutboundResult(Guid ClientMessageId)
{
    public sealed record Sent(Guid ClientMessageId, string WaMessageId) : OutboundResult(ClientMessageId);

    public sealed record Failed(Guid ClientMessageId, int? Code, GraphErrorKind Kind, string Detail, string? MetaMessage, bool Retryable, int? RetryAfterSeconds)
        : OutboundResult(ClientMessageId);

    /// <summary>An attempt may have reached Meta, and nobody knows whether it did: never resent silently.</summary>
    public sealed record InDoubt(Guid ClientMessageId, string Reason) : OutboundResult(ClientMessageId);

    /// <summary>No pacing slot before the deadline: nothing was attempted, the outbox row stays queued.</summary>
    public sealed record Throttled(Guid ClientMessageId, DateTimeOffset RetryAt) : OutboundResult(ClientMessageId);

    /// <summary>The bot cannot send or the message is invalid: nothing was recorded.</summary>
    public sealed record Refused(Guid ClientMessageId, SendStatus Status, string Detail) : OutboundResult(ClientMessageId);
}

/// <summary>Deterministic outbox keys: the same step or the same idempotency key always names the same message.</summary>
public static class OutboundIds
{
    public static Guid ForFlowStep(long executionId, int step) =>
        FromName(FormattableString.Invariant($"chatboost/flow-step/{executionId}/{step}"));

    public static Guid ForApi(long botId, string contactWaId, string idempotencyKey) =>
        FromName(FormattableString.Invariant($"chatboost/api/{botId}/{contactWaId}/{idempotencyKey}"));

    private static Guid FromName(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5-style (name-based), variant RFC 4122
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
