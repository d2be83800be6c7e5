using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>SMTP settings (SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM, SMTP_SECURITY) and PUBLIC_BASE_URL.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? From { get; set; }

    /// <summary><c>starttls</c> (default), <c>ssl</c> or <c>none</c>.</summary>
    public string Security { get; set; } = "starttls";

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
