using System.Text.RegularExpressions;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// Settings of <see cref="WhatsAppCloudClient"/> and of the per-number rate limit, bound from the configuration
/// section <c>WhatsApp</c> (<c>WHATSAPP_API_BASE_URL</c> → <c>WhatsApp:ApiBaseUrl</c>, <c>WHATSAPP_API_VERSION</c> →
/// <c>WhatsApp:ApiVersion</c>, <c>WHATSAPP_RATE_PER_SECOND</c> → <c>WhatsApp:RatePerSecond</c>). Timeouts and delays
/// are <see cref="TimeSpan"/>s (<c>"00:00:10"</c> in configuration).
/// </summary>
public sealed partial class WhatsAppClientOptions
{
    public const string Section = "WhatsApp";
    public const string DefaultApiBaseUrl = "https://graph.facebook.com";
    public const string DefaultApiVersion = "v22.0";
    /// <summary>
    /// 10% under Meta's default limit of 80 sends per second per number: sends arrive at Meta with jitter, and paced at
    /// exactly the limit some second there holds more than 80 and is refused with 130429 (bench/broadcast: 91 of 10,000 at
    /// 80/s, none at 72/s).
    /// </summary>
    public const int DefaultRatePerSecond = 72;

    /// <summary>The Graph API root; a fake one in tests and in the local sandbox.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>The Graph API version used when the credentials do not name one, e.g. <c>v22.0</c>.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>One HTTP attempt (connect, send, response headers). A timed-out attempt is retried.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// All attempts and the waits between them together. Kept below the grain call timeout
    /// (GRAIN_CALL_TIMEOUT_SECONDS, 10 s): an API caller must never get a 503 for a send that is still going on
    /// and then send it again; and a contact's inbound messages wait behind its send at most this long.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Retries after the first attempt, only for retryable failures (0 turns retrying off).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The median first back-off; it grows exponentially, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Largest response body read (error bodies are inspected for Meta's code before deciding to retry).</summary>
    public int MaxResponseBytes { get; set; } = 256 * 1024;

    /// <summary>Sends per second per business phone number, cluster-wide: about 10% under the number's limit at Meta (80 by default; up to 1,000 when upgraded).</summary>
    public int RatePerSecond { get; set; } = DefaultRatePerSecond;

    /// <summary>Every problem with the settings, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment))
        {
            problems.Add("WhatsApp:ApiBaseUrl (WHATSAPP_API_BASE_URL) must be an absolute http(s) URL without query, e.g. https://graph.facebook.com.");
        }

        if (!IsValidApiVersion(ApiVersion))
        {
            problems.Add("WhatsApp:ApiVersion (WHATSAPP_API_VERSION) must look like v22.0.");
        }

        // Polly's timeout strategy accepts 10 ms .. 1 day.
        if (AttemptTimeout < TimeSpan.FromMilliseconds(10) || AttemptTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add("WhatsApp:AttemptTimeout must be between 10 ms and 5 minutes.");
        }

        if (TotalTimeout < AttemptTimeout || TotalTimeout > TimeSpan.FromMinutes(30))
        {
            problems.Add("WhatsApp:TotalTimeout must be at least WhatsApp:AttemptTimeout and at most 30 minutes.");
        }

        if (MaxRetries is < 0 or > 20)
        {
            problems.Add("WhatsApp:MaxRetries must be between 0 and 20.");
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay || RetryMaxDelay > TimeSpan.FromMinutes(10))
        {
            problems.Add("WhatsApp:RetryBaseDelay must be ≥ 0 and ≤ WhatsApp:RetryMaxDelay, which must be ≤ 10 minutes.");
        }

        if (MaxResponseBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add("WhatsApp:MaxResponseBytes must be between 1 KB and 16 MB.");
        }

        if (RatePerSecond is < 1 or > 10_000)
        {
            problems.Add("WhatsApp:RatePerSecond (WHATSAPP_RATE_PER_SECOND) must be between 1 and 10000.");
        }

        return problems;
    }

    public static bool IsValidApiVersion(string? version) => version is not null && ApiVersionPattern().IsMatch(version);

    [GeneratedRegex(@"^v[0-9]{1,3}(\.[0-9]{1,3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();
}
