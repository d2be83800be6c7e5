namespace ChatBoost.FakeGraphApi;

/// <summary>Settings from environment variables or <c>--KEY=value</c> arguments (see README.md).</summary>
public sealed record FakeGraphOptions
{
    /// <summary>Accepted bearer tokens; null accepts any non-empty token.</summary>
    public IReadOnlySet<string>? ValidTokens { get; init; }

    /// <summary>Tokens answered with HTTP 401 and code 190, as Meta does for an expired token.</summary>
    public IReadOnlySet<string> ExpiredTokens { get; init; } = new HashSet<string>();

    /// <summary>Messages per second per business phone number (Meta's default is 80).</summary>
    public int RatePerSecond { get; init; } = 80;

    /// <summary>How long a customer's message keeps the free-form window open (24 hours at Meta).</summary>
    public TimeSpan CustomerWindow { get; init; } = TimeSpan.FromHours(24);

    public bool EnforceCustomerWindow { get; init; } = true;

    public int RequestLogCapacity { get; init; } = 10_000;

    /// <summary>Defaults for <c>/_fake/inbound</c> and <c>/_fake/status</c> when the request names none.</summary>
    public string? WebhookUrl { get; init; }

    public string? AppSecret { get; init; }

    /// <summary>
    /// True: a phone number id nobody registered (<c>POST /_fake/phone-numbers</c>) is reached by every valid token, so
    /// tests that do not care can create bots with any number. False (the default, like Meta): only registered numbers
    /// exist. A registered number is always reached only by its own tokens.
    /// </summary>
    public bool AnyPhoneNumber { get; init; }

    public static FakeGraphOptions FromConfiguration(IConfiguration configuration)
    {
        var defaults = new FakeGraphOptions();
        var tokens = List(configuration["FAKE_GRAPH_TOKENS"]);
        return new FakeGraphOptions
        {
            ValidTokens = tokens.Count > 0 ? tokens : null,
            ExpiredTokens = List(configuration["FAKE_GRAPH_EXPIRED_TOKENS"]),
            RatePerSecond = Positive(configuration["FAKE_GRAPH_RATE_PER_SECOND"]) ?? defaults.RatePerSecond,
            CustomerWindow = Positive(configuration["FAKE_GRAPH_WINDOW_HOURS"]) is { } hours ? TimeSpan.FromHours(hours) : defaults.CustomerWindow,
            EnforceCustomerWindow = !string.Equals(configuration["FAKE_GRAPH_ENFORCE_WINDOW"], "false", StringComparison.OrdinalIgnoreCase),
            RequestLogCapacity = Positive(configuration["FAKE_GRAPH_REQUEST_LOG_CAPACITY"]) ?? defaults.RequestLogCapacity,
            WebhookUrl = NullIfEmpty(configuration["FAKE_GRAPH_WEBHOOK_URL"]),
            AppSecret = NullIfEmpty(configuration["FAKE_GRAPH_APP_SECRET"]),
            AnyPhoneNumber = string.Equals(configuration["FAKE_GRAPH_ANY_PHONE_NUMBER"], "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static HashSet<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    private static int? Positive(string? value) => int.TryParse(value, out var number) && number > 0 ? number : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
