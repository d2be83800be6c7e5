namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// The outcome of <see cref="WhatsAppCloudClient.SendAsync"/>: Meta accepted the message (<see cref="WaMessageId"/>; a
/// 200 is not delivery, statuses come by webhook) or it did not (<see cref="Failure"/>). <see cref="Attempts"/> counts
/// the HTTP calls made, retries included (0 when the message was refused before any call).
/// </summary>
public sealed record SendResult
{
    private SendResult(string? waMessageId, SendFailure? failure, int attempts)
    {
        WaMessageId = waMessageId;
        Failure = failure;
        Attempts = attempts;
    }

    public bool IsSuccess => WaMessageId is not null;

    /// <summary>The wamid (<c>messages[0].id</c>) when <see cref="IsSuccess"/>.</summary>
    public string? WaMessageId { get; }

    public SendFailure? Failure { get; }

    public int Attempts { get; }

    public static SendResult Sent(string waMessageId, int attempts) => new(waMessageId, null, attempts);

    public static SendResult Failed(SendFailure failure, int attempts) => new(null, failure, attempts);
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
