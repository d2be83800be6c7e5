namespace ChatBoost.Grains.Flows.Http;

/// <summary>Settings of <see cref="WebhookCaller"/>; see <see cref="WebhookCallerServiceCollectionExtensions"/> for the configuration keys.</summary>
public sealed class WebhookCallerOptions
{
    /// <summary>The largest response body accepted, in bytes; a larger one fails with <see cref="WebhookFailureKind.ResponseTooLarge"/>.</summary>
    public int MaxResponseBytes { get; set; } = 256 * 1024;

    /// <summary>Used when <see cref="WebhookRequest.Timeout"/> is zero or less.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Destinations permitted even though <see cref="DestinationPolicy"/> forbids them, as raw entries parsed by
    /// <see cref="Http.AllowList.Parse"/> (<c>IP</c>, <c>IP:port</c>, <c>[IPv6]</c>, <c>[IPv6]:port</c>, <c>CIDR</c>).
    /// </summary>
    public IList<string> AllowList { get; set; } = [];

    /// <summary>Values found in configuration that could not be read; reported by the options validation at start.</summary>
    internal List<string> BindingProblems { get; } = [];
}
