using System.Text.Json;

namespace ChatBoost.Grains.Flows.Http;

/// <summary>Why a webhook call failed.</summary>
public enum WebhookFailureKind
{
    /// <summary>Not an absolute http:// or https:// URL, or it holds user information.</summary>
    InvalidUrl,

    /// <summary>The host is (or resolves to) an address the SSRF guard refuses and the allow list does not permit.</summary>
    DestinationRefused,

    /// <summary>Connecting, sending, or reading the headers and body took longer than the request's timeout.</summary>
    Timeout,

    /// <summary>DNS, connection, TLS or protocol failure.</summary>
    NetworkError,

    /// <summary>A non-2xx answer (redirects included: they are not followed).</summary>
    HttpStatus,

    /// <summary>The response body is larger than <see cref="WebhookCallerOptions.MaxResponseBytes"/>.</summary>
    ResponseTooLarge,

    /// <summary>
    /// The rendered request cannot be sent: an unsupported method, a header name or value with a line break (e.g. a
    /// placeholder rendered one), or a header that would change the message framing (Host, Content-Length, ...).
    /// </summary>
    InvalidRequest,
}

/// <summary>
/// The outcome of <see cref="WebhookCaller.CallAsync"/>. Success means a 2xx answer; <see cref="Body"/> is then the
/// response parsed as JSON when it is valid JSON (any JSON value), else the text as a JSON string (an empty body is
/// the empty string). On failure <see cref="Body"/> is null, <see cref="Failure"/> and <see cref="Error"/> are set, and
/// <see cref="StatusCode"/> is set when an answer was received.
/// </summary>
public sealed record WebhookCallResult(
    bool IsSuccess,
    int? StatusCode,
    JsonElement? Body,
    WebhookFailureKind? Failure,
    string? Error)
{
    internal static WebhookCallResult Success(int statusCode, JsonElement body) => new(true, statusCode, body, null, null);

    internal static WebhookCallResult Failed(WebhookFailureKind kind, string error, int? statusCode = null) =>
        new(false, statusCode, null, kind, error);
}
