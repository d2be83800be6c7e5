namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// The outcome of <see cref="WhatsAppCloudClient.SendAsync"/>: Meta accepted the message (<see cref="WaMessageId"/>; a
/// 200 is not delivery, statuses come by webhook), surely did not (<see cref="Failure"/>), or may have: an attempt whose
/// outcome is unknown (<see cref="InDoubtReason"/>: a timeout, a reset after the request was written, a 2xx without
/// <c>messages[0].id</c>), which is never retried. <see cref="Attempts"/> counts the HTTP calls made, retries included
/// (0 when the message was refused before any call).
/// </summary>
public sealed record SendResult
{
    private SendResult(string? waMessageId, SendFailure? failure, string? inDoubtReason, int attempts)
    {
        WaMessageId = waMessageId;
        Failure = failure;
        InDoubtReason = inDoubtReason;
        Attempts = attempts;
    }

    public bool IsSuccess => WaMessageId is not null;

    /// <summary>The wamid (<c>messages[0].id</c>) when <see cref="IsSuccess"/>.</summary>
    public string? WaMessageId { get; }

    /// <summary>Set when Meta surely did not accept the message.</summary>
    public SendFailure? Failure { get; }

    /// <summary>Set when Meta may have accepted it: why the outcome is unknown.</summary>
    public string? InDoubtReason { get; }

    public int Attempts { get; }

    public static SendResult Sent(string waMessageId, int attempts) => new(waMessageId, null, null, attempts);

    public static SendResult Failed(SendFailure failure, int attempts) => new(null, failure, null, attempts);

    public static SendResult InDoubt(string reason, int attempts) => new(null, null, reason, attempts);
}

/// <summary>
/// Why a send failed, after the client's own retries. <see cref="Kind"/> comes from <see cref="GraphErrorClassifier"/>.
/// <see cref="Retryable"/> means a later attempt may succeed (the outbox may re-queue it, after <see cref="RetryAfter"/>
/// when Meta gave one); <see cref="GraphErrorKind.TokenExpired"/> means: mark the bot's credentials invalid, stop sending.
/// <see cref="Message"/> is Meta's error message (e.g. <c>(#131047) Re-engagement message</c>), <see cref="Details"/> its
/// <c>error_data.details</c>; neither ever contains the access token.
/// </summary>
public sealed record SendFailure(
    GraphErrorKind Kind,
    int? Code,
    int? Subcode,
    string Message,
    string? Details,
    int? HttpStatus,
    TimeSpan? RetryAfter,
    string? FbTraceId)
{
    public bool Retryable => GraphErrorClassifier.ShouldRetry(Kind);
}
