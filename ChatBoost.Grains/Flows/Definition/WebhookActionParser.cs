using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatBoost.Grains.Flows.Definition;

internal static partial class WebhookActionParser
{
    private const int MaxUrlLength = 2048;

    public static WebhookActionConfig? Parse(ConfigReader config)
    {
        var url = config.String("url", required: true, MaxUrlLength);
        if (url is { Length: > 0 })
        {
            UrlRules.CheckTemplatedUrl(url, config.FieldPath("url"), config.Sink);
        }

        var method = config.Enum("method", WebhookMethods.All, required: false, WebhookMethods.Post);
        var headers = ParseHeaders(config);
        var body = config.Take("body");
        if (body is not null)
        {
            if (method == WebhookMethods.Get)
            {
                config.Sink.Error(config.FieldPath("body"), FlowProblemCodes.FieldNotAllowed, "config.body is not allowed with GET.");
            }

            NodeConfigParser.CheckJsonStrings(body.Value, config.FieldPath("body"), config.Sink);
        }

        var timeout = config.Integer("timeout_seconds", FlowLimits.MinWebhookTimeoutSeconds, FlowLimits.MaxWebhookTimeoutSeconds)
            ?? FlowLimits.DefaultWebhookTimeoutSeconds;
        var store = config.StateTarget("store_response_in", required: false);
        var next = config.NodeRef("next");
        var errorPath = config.NodeRef("error_path");
        return url is null || method is null
            ? null
            : new WebhookActionConfig(url, method, headers, body?.Clone(), timeout, store, next, errorPath);
    }

    /// <summary>Headers that frame or route the request: the client sets them, a flow may not (request smuggling, host spoofing).</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Connection",
    };

    private static Dictionary<string, string> ParseHeaders(ConfigReader config)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var element = config.Take("headers");
        if (element is null)
        {
            return headers;
        }

        var field = config.FieldPath("headers");
        if (element.Value.ValueKind != JsonValueKind.Object)
        {
            config.Sink.Error(field, FlowProblemCodes.InvalidType, $"{field} must be an object of header name to string value.");
            return headers;
        }

        foreach (var header in element.Value.EnumerateObject())
        {
            var headerField = $"{field}.{header.Name}";
            if (!HeaderName().IsMatch(header.Name))
            {
                config.Sink.Error(headerField, FlowProblemCodes.InvalidValue, $"'{header.Name}' is not a valid HTTP header name.");
            }
            else if (ReservedHeaders.Contains(header.Name))
            {
                config.Sink.Error(headerField, FlowProblemCodes.InvalidValue,
                    $"'{header.Name}' is set by the HTTP client (it frames or routes the request) and cannot be given.");
            }

            var value = config.CheckString(header.Value, headerField, maxLength: null, Placeholding.Allowed, allowEmpty: true);
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                config.Sink.Error(headerField, FlowProblemCodes.InvalidValue, $"{headerField} must not contain line breaks.");
            }
            else if (value is not null && !headers.TryAdd(header.Name, value))
            {
                config.Sink.Error(headerField, FlowProblemCodes.DuplicateValue, $"Header '{header.Name}' is given more than once (names ignore case).");
            }
        }

        return headers;
    }

    // RFC 9110 token characters.
    [GeneratedRegex(@"^[!#$%&'*+.^_`|~0-9A-Za-z-]+\z")]
    private static partial Regex HeaderName();
}
