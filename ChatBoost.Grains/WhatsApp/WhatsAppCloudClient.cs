using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// The one client that sends through the WhatsApp Cloud API: <c>POST {base}/{version}/{phone_number_id}/messages</c>.
/// A typed <see cref="HttpClient"/> from <see cref="WhatsAppServices.AddChatBoostWhatsApp"/>, whose resilience handler
/// retries (exponential back-off with jitter) only what <see cref="GraphErrorClassifier"/> calls retryable, with a
/// per-attempt and a total timeout; only what Meta surely did not accept is retried, an attempt whose outcome is
/// unknown is <see cref="SendResult.InDoubtReason"/>. Every attempt, retries included, first waits for a slot of the
/// cluster-wide per-number rate limit (<see cref="IWhatsAppSendPacer"/>, from the pipeline) unless the caller holds it.
/// <para>
/// The access token goes only into the request's Authorization header: it is never logged (the factory's header
/// logging is removed for this client), never put in a <see cref="SendFailure"/> and never in an exception message.
/// </para>
/// <para>
/// Safe to hold for long (e.g. in a grain): the primary handler recycles pooled connections, so DNS changes are seen.
/// </para>
/// </summary>
public sealed partial class WhatsAppCloudClient(
    HttpClient http,
    IOptionsMonitor<WhatsAppClientOptions> options,
    ILogger<WhatsAppCloudClient> logger)
{
    internal static readonly HttpRequestOptionsKey<SendAttemptState> AttemptStateKey = new("ChatBoost.WhatsApp.SendAttempt");

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    public Task<SendResult> SendAsync(WhatsAppCredentials credentials, OutboundMessage message, CancellationToken cancellationToken = default) =>
        SendAsync(credentials, message, firstSlotHeld: false, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/>. <paramref name="firstSlotHeld"/>: the caller already took the pacing slot of the
    /// first attempt (<see cref="Outbound.OutboundSender"/> does, to refuse a send it cannot start in time before it
    /// marks the row sending); retries still wait for slots of their own.
    /// </summary>
    public async Task<SendResult> SendAsync(
        WhatsAppCredentials credentials, OutboundMessage message, bool firstSlotHeld, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(message);

        var settings = options.CurrentValue;
        var version = string.IsNullOrWhiteSpace(credentials.ApiVersion) ? settings.ApiVersion : credentials.ApiVersion;
        if (string.IsNullOrWhiteSpace(credentials.PhoneNumberId) || string.IsNullOrWhiteSpace(credentials.AccessToken)
            || credentials.AccessToken.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '\x7e')
            || !WhatsAppClientOptions.IsValidApiVersion(version))
        {
            // Never echo the token: a malformed one is only described.
            return Refused("The WhatsApp credentials need a phone number id, a well-formed access token and an API version like v22.0.");
        }

        var problems = GraphMessageBodies.Validate(message);
        if (problems.Count > 0)
        {
            return Refused(string.Join(" ", problems));
        }

        var content = new ByteArrayContent(GraphMessageBodies.BuildUtf8(message));
        content.Headers.ContentType = JsonContentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesPath(version, credentials.PhoneNumberId)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.AccessToken);
        request.Headers.Accept.Add(JsonAccept);
        var state = new SendAttemptState(credentials.PhoneNumberId, settings.MaxResponseBytes) { FirstSlotHeld = firstSlotHeld };
        request.Options.Set(AttemptStateKey, state);

        SendResult result;
        try
        {
            // Each attempt waits for its rate-limit slot inside the resilience pipeline (see WhatsAppServices).
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            result = Interpret(response, body, state.Attempts, credentials.AccessToken);
        }
        catch (Exception e) when (state.InFlight || state.LastAttemptUncertain)
        {
            // A timeout, a reset after the request was written, the caller's cancellation mid-attempt: Meta may have
            // the message. Not retried (the pipeline's predicate did not), and reported as in doubt, never as failed.
            result = SendResult.InDoubt(Scrub($"The outcome of the send is unknown: {Describe(e)}.", credentials.AccessToken), state.Attempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // nothing in flight: the caller's own cancellation before or between attempts
        }
        catch (Exception e)
        {
            // Nothing in flight: a connection that never opened (refused, DNS, TLS), the total timeout during a back-off,
            // the rate limiter unavailable… Meta surely does not have the message. The token is only in a header, which no
            // exception message contains; Scrub is a second line of defence.
            var status = e is HttpRequestException { StatusCode: { } code } ? (int?)code : null;
            result = SendResult.Failed(
                new SendFailure(state.LastFailureKind ?? GraphErrorClassifier.ClassifyTransportFailure(), null, null,
                    Scrub($"The Graph API could not be reached: {Describe(e)}", credentials.AccessToken), null, status, null, null),
                state.Attempts);
        }

        Log(credentials.PhoneNumberId, result);
        return result;
    }

    /// <summary>
    /// One unauthenticated GET of the API version's root, whose answer (an error at Meta, a 404 at the fake) is only read
    /// and dropped: it opens a pooled connection and compiles the handler pipeline, so the first sends after a start do not
    /// stall on that together and then reach Meta bunched, above the number's rate. Answers the HTTP status; throws when
    /// the API cannot be reached. It carries no token and is not paced (no send state).
    /// </summary>
    public async Task<int> WarmUpAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Uri.EscapeDataString(options.CurrentValue.ApiVersion)}/");
        request.Headers.Accept.Add(JsonAccept);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    /// <summary>The request path relative to the base URL: <c>{version}/{phone_number_id}/messages</c>.</summary>
    internal static string MessagesPath(string version, string phoneNumberId) =>
        $"{Uri.EscapeDataString(version)}/{Uri.EscapeDataString(phoneNumberId)}/messages";

    /// <summary>
    /// The resilience pipeline's predicate: retry only what Meta surely did not accept — a connection that never opened
    /// (<see cref="SurelyNotSent"/>), or an error response Meta answered that <see cref="GraphErrorClassifier"/> calls
    /// retryable (429/130429 and the throttling codes, 5xx with a Graph error body). A timeout, a reset after the request
    /// was written, a 5xx without a Graph error body (a gateway's answer: Meta may be processing it) and every success
    /// are never retried. Reads (and buffers, bounded) the error body so the client can read it again afterwards.
    /// </summary>
    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var state = context.GetRequestMessage() is { } request && request.Options.TryGetValue(AttemptStateKey, out var s) ? s : null;
        if (outcome.Exception is { } exception)
        {
            var retry = SurelyNotSent(exception);
            if (retry && state is not null)
            {
                state.LastFailureKind = GraphErrorClassifier.ClassifyTransportFailure();
            }

            return retry;
        }

        if (outcome.Result is not { } response || response.IsSuccessStatusCode)
        {
            return false;
        }

        var body = await ReadBoundedAsync(response, state?.MaxResponseBytes ?? 256 * 1024, context.CancellationToken).ConfigureAwait(false);
        var error = GraphErrorClassifier.ParseError(body);
        if (IsUnansweredServerError((int)response.StatusCode, error))
        {
            return false;
        }

        var kind = GraphErrorClassifier.Classify((int)response.StatusCode, error);
        if (state is not null)
        {
            state.LastFailureKind = kind;
        }

        return GraphErrorClassifier.ShouldRetry(kind);
    }

    /// <summary>
    /// An exception raised before any byte of the request left: the name did not resolve, the connection was refused
    /// or not established, the TLS or proxy handshake failed. Anything else (a reset or an early end of the response,
    /// a timeout, a protocol error) may follow a request Meta received.
    /// </summary>
    public static bool SurelyNotSent(Exception exception) => exception is HttpRequestException
    {
        HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
    };

    /// <summary>A 5xx without a Graph error object: a proxy's or gateway's answer, not Meta's verdict on the message.</summary>
    public static bool IsUnansweredServerError(int httpStatus, GraphError? error) => httpStatus is >= 500 and <= 599 && error is null;

    private static async ValueTask<byte[]> ReadBoundedAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(maxBytes, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            return []; // too large or cut off: classify by the HTTP status alone
        }
    }

    private static SendResult Interpret(HttpResponseMessage response, byte[] body, int attempts, string token)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return ReadWaMessageId(body) is { } wamid
                ? SendResult.Sent(wamid, attempts)
                // Meta may have accepted it: in doubt, never retried, or the customer could get it twice.
                : SendResult.InDoubt($"HTTP {status} without messages[0].id.", attempts);
        }

        var error = GraphErrorClassifier.ParseError(body);
        if (IsUnansweredServerError(status, error))
        {
            return SendResult.InDoubt($"HTTP {status} without a Graph API error body (a gateway's answer; Meta may have the message).", attempts);
        }

        var kind = GraphErrorClassifier.Classify(status, error);
        return SendResult.Failed(
            new SendFailure(
                kind,
                error?.Code,
                error?.Subcode,
                Scrub(error?.Message ?? $"HTTP {status} {response.ReasonPhrase}", token),
                error?.Details is { } details ? Scrub(details, token) : null,
                status,
                RetryAfter(response),
                error?.FbTraceId),
            attempts);
    }

    private static string? ReadWaMessageId(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("messages", out var messages)
                && messages.ValueKind == JsonValueKind.Array
                && messages.GetArrayLength() > 0
                && messages[0].ValueKind == JsonValueKind.Object
                && messages[0].TryGetProperty("id", out var id)
                && id.ValueKind == JsonValueKind.String
                && id.GetString() is { Length: > 0 } wamid
                    ? wamid
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } when delta >= TimeSpan.Zero => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static string Describe(Exception e) =>
        e is HttpRequestException { HttpRequestError: var error } ? $"{e.GetType().Name} ({error}): {e.Message}" : $"{e.GetType().Name}: {e.Message}";

    private static string Scrub(string text, string token) =>
        token.Length > 0 ? text.Replace(token, "***", StringComparison.Ordinal) : text;

    private static SendResult Refused(string reason) =>
        SendResult.Failed(new SendFailure(GraphErrorKind.InvalidRequest, null, null, reason, null, null, null, null), 0);

    private void Log(string phoneNumberId, SendResult result)
    {
        if (result.InDoubtReason is { } reason)
        {
            LogInDoubt(logger, phoneNumberId, result.Attempts, reason);
        }
        else if (result.Failure is not { } failure)
        {
            LogSent(logger, phoneNumberId, result.WaMessageId, result.Attempts);
        }
        else if (failure.Kind == GraphErrorKind.TokenExpired)
        {
            LogTokenRejected(logger, phoneNumberId, failure.Code, failure.HttpStatus, failure.FbTraceId);
        }
        else
        {
            LogFailed(logger, phoneNumberId, failure.Kind, failure.Code, failure.HttpStatus, result.Attempts, failure.Message, failure.FbTraceId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "WhatsApp send from {PhoneNumberId} accepted as {WaMessageId} after {Attempts} attempt(s)")]
    private static partial void LogSent(ILogger logger, string phoneNumberId, string? waMessageId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WhatsApp send from {PhoneNumberId} is in doubt after {Attempts} attempt(s) (not retried): {Reason}")]
    private static partial void LogInDoubt(ILogger logger, string phoneNumberId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "WhatsApp send from {PhoneNumberId}: the access token was rejected (code {Code}, HTTP {HttpStatus}, fbtrace {FbTraceId}); the credentials must be fixed")]
    private static partial void LogTokenRejected(ILogger logger, string phoneNumberId, int? code, int? httpStatus, string? fbTraceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WhatsApp send from {PhoneNumberId} failed: {Kind} (code {Code}, HTTP {HttpStatus}) after {Attempts} attempt(s): {Reason} (fbtrace {FbTraceId})")]
    private static partial void LogFailed(ILogger logger, string phoneNumberId, GraphErrorKind kind, int? code, int? httpStatus, int attempts, string reason, string? fbTraceId);
}

/// <summary>Per-send bookkeeping carried on the request through the resilience pipeline's attempts.</summary>
internal sealed class SendAttemptState(string phoneNumberId, int maxResponseBytes)
{
    public string PhoneNumberId { get; } = phoneNumberId;

    public int MaxResponseBytes { get; } = maxResponseBytes;

    /// <summary>HTTP attempts started (1 for the first, +1 per retry; 0 until the first is).</summary>
    public int Attempts { get; set; }

    /// <summary>The classification of the last error response, set by the retry predicate.</summary>
    public GraphErrorKind? LastFailureKind { get; set; }

    /// <summary>The caller took the first attempt's pacing slot itself: the pipeline does not wait for it again.</summary>
    public bool FirstSlotHeld { get; init; }

    /// <summary>An HTTP attempt is running (set by the pacing strategy around it).</summary>
    public bool InFlight { get; set; }

    /// <summary>The last attempt ended with an exception after which Meta may have the message (see <see cref="WhatsAppCloudClient.SurelyNotSent"/>).</summary>
    public bool LastAttemptUncertain { get; set; }
}
