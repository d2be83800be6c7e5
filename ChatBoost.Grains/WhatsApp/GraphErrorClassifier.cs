using System.Globalization;
using System.Text.Json;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>What a failed Graph API send means for the caller.</summary>
public enum GraphErrorKind
{
    Unknown = 0,

    /// <summary>Too many calls for the business number, WABA or app (130429, 80007, 4, HTTP 429): back off, retry.</summary>
    RetryableThroughput,

    /// <summary>Too many messages to this one recipient (131056): back off for that recipient only.</summary>
    RetryableRecipientPairRate,

    /// <summary>Meta-side trouble (131000, 131057, 131016, 2, HTTP 5xx with an error body, no connection): retry with back-off.</summary>
    RetryableTransient,

    /// <summary>More than 24 hours since the customer last wrote (131047): only a template can be sent.</summary>
    OutsideCustomerWindow,

    /// <summary>This recipient cannot get the message (131026 undeliverable, 131049 not delivered for ecosystem health, 131021, 130472).</summary>
    PermanentRecipient,

    /// <summary>The business account or number is restricted (368 policy block, 131031 locked, 131048 spam limit, 130497 country).</summary>
    PermanentPolicy,

    /// <summary>The request itself is wrong (100, 131008, 131009, 131051, media and template errors).</summary>
    InvalidRequest,

    /// <summary>The access token is expired, revoked or lacks permission (190, 0, 10, 200–299): fix the credentials.</summary>
    TokenExpired,
}

/// <summary>The Graph API error object: <c>{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}</c>.</summary>
public sealed record GraphError(int? Code, int? Subcode, string? Message, string? Type, string? Details, string? FbTraceId);

/// <summary>
/// Classifies a failed send by Meta's error <c>code</c> first (Meta advises building on the code, not on the HTTP
/// status, which for throttling is a 400 in its table), and by the HTTP status when the body has no known code.
/// </summary>
public static class GraphErrorClassifier
{
    public static bool ShouldRetry(GraphErrorKind kind) =>
        kind is GraphErrorKind.RetryableThroughput or GraphErrorKind.RetryableRecipientPairRate or GraphErrorKind.RetryableTransient;

    /// <summary>A request that never reached Meta (the connection did not open): retryable. (A timeout is not a failure: it is in doubt.)</summary>
    public static GraphErrorKind ClassifyTransportFailure() => GraphErrorKind.RetryableTransient;

    public static GraphErrorKind Classify(int httpStatus, ReadOnlySpan<byte> body) => Classify(httpStatus, ParseError(body));

    public static GraphErrorKind Classify(int httpStatus, GraphError? error)
    {
        var byCode = error?.Code is { } code ? ClassifyCode(code) : GraphErrorKind.Unknown;
        if (byCode != GraphErrorKind.Unknown)
        {
            return byCode;
        }

        return httpStatus switch
        {
            429 => GraphErrorKind.RetryableThroughput,
            408 or >= 500 and <= 599 => GraphErrorKind.RetryableTransient,
            401 => GraphErrorKind.TokenExpired,
            _ => GraphErrorKind.Unknown,
        };
    }

    public static GraphErrorKind ClassifyCode(int code) => code switch
    {
        130429 or 80007 or 4 => GraphErrorKind.RetryableThroughput,
        131056 => GraphErrorKind.RetryableRecipientPairRate,
        131000 or 131057 or 131016 or 2 => GraphErrorKind.RetryableTransient,
        131047 => GraphErrorKind.OutsideCustomerWindow,
        131026 or 131049 or 131021 or 130472 => GraphErrorKind.PermanentRecipient,
        368 or 131031 or 131048 or 130497 => GraphErrorKind.PermanentPolicy,
        100 or 131008 or 131009 or 131051 or 131052 or 131053 or 33 => GraphErrorKind.InvalidRequest,
        >= 132000 and <= 132999 => GraphErrorKind.InvalidRequest, // template errors: missing, paused, parameter mismatch
        190 or 0 or 10 or >= 200 and <= 299 => GraphErrorKind.TokenExpired,
        _ => GraphErrorKind.Unknown,
    };

    /// <summary>The <c>error</c> object of a Graph API error body, or null when the body is not one. Never throws.</summary>
    public static GraphError? ParseError(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var data = error.TryGetProperty("error_data", out var d) ? d : default;
            return new GraphError(
                Integer(error, "code"),
                Integer(error, "error_subcode"),
                String(error, "message"),
                String(error, "type"),
                String(data, "details"),
                String(error, "fbtrace_id"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int? Integer(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }
}
