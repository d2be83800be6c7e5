using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// SMTP settings (SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM, SMTP_SECURITY, SMTP_CA_FILE) and
/// PUBLIC_BASE_URL.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? From { get; set; }

    /// <summary>
    /// <c>starttls</c> (default: the session must be upgraded with STARTTLS; a server that does not offer it gets nothing,
    /// not even the password), <c>ssl</c> (TLS from the first byte) or <c>none</c> (plain text, for a local development sink).
    /// </summary>
    public string Security { get; set; } = "starttls";

    /// <summary>
    /// A PEM bundle of root certificates (SMTP_CA_FILE): when set, the server's certificate must chain to one of them (and
    /// name the host) instead of to the system's trusted roots. Read and checked at start.
    /// </summary>
    public string? CaFile { get; set; }

    public string PublicBaseUrl { get; set; } = "http://localhost:8000";

    public int InvitationExpireDays { get; set; } = 7;

    public static SmtpOptions Load(IConfiguration configuration)
    {
        SmtpOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<SmtpOptions>() ?? new SmtpOptions();
        }
        catch (InvalidOperationException)
        {
            throw new ConfigurationException("SMTP_PORT and INVITATION_EXPIRE_DAYS must be numbers.");
        }

        if (options.Security is not ("starttls" or "ssl" or "none"))
        {
            throw new ConfigurationException("SMTP_SECURITY must be starttls, ssl or none.");
        }

        if (!string.IsNullOrEmpty(options.CaFile))
        {
            if (options.Security == "none")
            {
                throw new ConfigurationException("SMTP_CA_FILE is set but SMTP_SECURITY is none: no certificate is ever checked. Use starttls or ssl, or unset SMTP_CA_FILE.");
            }

            // Read now so that a bad file stops the process at start; the transport reads it again for its trust.
            foreach (var root in CertificateFile.LoadPemBundle(options.CaFile, "SMTP_CA_FILE"))
            {
                root.Dispose();
            }
        }

        if (options.InvitationExpireDays is < 1 or > 90)
        {
            throw new ConfigurationException("INVITATION_EXPIRE_DAYS must be between 1 and 90.");
        }

        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationException("PUBLIC_BASE_URL must be an absolute http(s) URL.");
        }

        return options;
    }
}
