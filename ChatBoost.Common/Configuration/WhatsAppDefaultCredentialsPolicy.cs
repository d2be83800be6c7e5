using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// Which organizations' bots may send on the operator's WhatsApp account: the <c>WHATSAPP_ACCESS_TOKEN</c>,
/// <c>WHATSAPP_PHONE_NUMBER_ID</c> and <c>WHATSAPP_BUSINESS_ACCOUNT_ID</c> defaults a bot falls back to when it has none of
/// its own. <c>WHATSAPP_DEFAULT_CREDENTIALS</c> is <c>off</c> (no bot), <c>all</c> (every bot: the local sandbox), or a
/// comma-separated list of organization ids. Unset: <c>off</c> in production, <c>all</c> elsewhere. The app secret is not
/// covered: it only verifies what Meta signs with the operator's app, so it never spends anything.
/// </summary>
public sealed record WhatsAppDefaultCredentialsPolicy(bool AllowsEveryOrganization, IReadOnlySet<long> AllowedOrganizations)
{
    public const string ConfigurationKey = "WhatsApp:DefaultCredentials";

    public static WhatsAppDefaultCredentialsPolicy Off { get; } = new(false, new HashSet<long>());

    public static WhatsAppDefaultCredentialsPolicy All { get; } = new(true, new HashSet<long>());

    public bool Allows(long organizationId) => AllowsEveryOrganization || AllowedOrganizations.Contains(organizationId);

    /// <summary>Reads <see cref="ConfigurationKey"/>; throws <see cref="ConfigurationException"/> for a value it cannot use.</summary>
    public static WhatsAppDefaultCredentialsPolicy Load(IConfiguration configuration, bool isProduction)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Parse(configuration[ConfigurationKey], isProduction);
    }

    public static WhatsAppDefaultCredentialsPolicy Parse(string? value, bool isProduction)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            return isProduction ? Off : All;
        }

        switch (text.ToLowerInvariant())
        {
            case "off" or "none" or "false":
                return Off;
            case "all" or "true":
                return All;
        }

        var organizations = new HashSet<long>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                throw new ConfigurationException(
                    "ChatBoost cannot start:" + Environment.NewLine
                    + "- WHATSAPP_DEFAULT_CREDENTIALS must be off, all, or a comma-separated list of organization ids (e.g. 1,42).");
            }

            organizations.Add(id);
        }

        return organizations.Count == 0 ? Off : new WhatsAppDefaultCredentialsPolicy(false, organizations);
    }
}
