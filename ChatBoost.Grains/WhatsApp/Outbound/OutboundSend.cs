using System.Globalization;
using ChatBoost.Grains.Interfaces.WhatsApp;

namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>
/// One send through <see cref="OutboundSender"/>. <paramref name="ClientMessageId"/> is the outbox key and the
/// idempotency key (see <see cref="OutboundIds"/>): the same id is sent at most once, however often it is asked for.
/// <paramref name="NotAfter"/> is the latest start of the attempt (its pacing slot); null: any slot.
/// <paramref name="ExecutionId"/> marks a flow send, whose queued row is its execution's to re-send.
/// </summary>
public sealed record OutboundSend(
    Guid ClientMessageId,
    long BotId,
    long OrganizationId,
    string ContactWaId,
    OutboundMessage Message,
    DateTimeOffset? NotAfter,
    long? ExecutionId = null);

/// <summary>How a send ended, for the caller. <see cref="ToSendOutcome"/> maps it to the API's <see cref="SendOutcome"/>.</summary>
public abstract record OutboundResult(Guid ClientMessageId)
{
    /// <summary>Meta accepted it (now, or on an earlier call with the same id).</summary>
    public sealed record Sent(Guid ClientMessageId, string WaMessageId) : OutboundResult(ClientMessageId);

    /// <summary>Meta surely did not accept it; the row is <c>failed</c>. <see cref="Retryable"/>: a later send may succeed.</summary>
    public sealed record Failed(
        Guid ClientMessageId, int? Code, GraphErrorKind Kind, string Detail, string? MetaMessage, bool Retryable, int? RetryAfterSeconds)
        : OutboundResult(ClientMessageId);

    /// <summary>Meta may have it: the row is <c>in_doubt</c>, never resent; resolved when its wamid becomes known.</summary>
    public sealed record InDoubt(Guid ClientMessageId, string Reason) : OutboundResult(ClientMessageId);

    /// <summary>No pacing slot before the deadline: nothing attempted, the row stays <c>queued</c>; try at <see cref="RetryAt"/>.</summary>
    public sealed record Throttled(Guid ClientMessageId, DateTimeOffset RetryAt) : OutboundResult(ClientMessageId);

    /// <summary>The bot cannot send this (not found, cannot send, invalid body): nothing recorded, nothing attempted.</summary>
    public sealed record Refused(Guid ClientMessageId, SendStatus Status, string Detail) : OutboundResult(ClientMessageId);

    public const string InDoubtDetail =
        "The send's outcome is unknown (Meta may have the message): it is recorded as in_doubt and will not be sent again; " +
        "its status follows when Meta reports it.";

    public const string ThrottledDetail =
        "The bot's number had no free send slot before the request's deadline; nothing was sent. Try again.";

    public const string RetryableFailedDetail = "WhatsApp did not accept the message after retries; try again later.";

    public SendOutcome ToSendOutcome() => this switch
    {
        Sent sent => new SendOutcome(SendStatus.Sent, ClientMessageId, sent.WaMessageId, null),
        Failed { Retryable: true } failed => new SendOutcome(
            SendStatus.MetaUnavailable, ClientMessageId, null, failed.Detail, failed.Code, failed.MetaMessage, failed.RetryAfterSeconds),
        Failed failed => new SendOutcome(SendStatus.MetaRejected, ClientMessageId, null, failed.Detail, failed.Code, failed.MetaMessage),
        InDoubt inDoubt => new SendOutcome(SendStatus.InDoubt, ClientMessageId, null, $"{InDoubtDetail} ({inDoubt.Reason})"),
        Throttled throttled => new SendOutcome(SendStatus.Throttled, ClientMessageId, null, ThrottledDetail,
            RetryAfterSeconds: Math.Max(1, (int)Math.Ceiling((throttled.RetryAt - DateTimeOffset.UtcNow).TotalSeconds))),
        Refused refused => SendOutcome.Refused(refused.Status, refused.Detail),
        _ => throw new InvalidOperationException($"Unknown result {GetType().Name}."),
    };

    /// <summary>A one-line description for logs (never a token).</summary>
    public override string ToString() => this switch
    {
        Sent s => $"sent {s.WaMessageId}",
        Failed f => $"failed {f.Kind} {f.Code?.ToString(CultureInfo.InvariantCulture)}",
        InDoubt d => $"in doubt: {d.Reason}",
        Throttled t => $"throttled until {t.RetryAt:O}",
        Refused r => $"refused {r.Status}",
        _ => GetType().Name,
    };
}
