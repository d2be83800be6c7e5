using ChatBoost.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ChatBoost.Api.Organizations;

/// <summary>
/// Delivers invitation e-mails through SMTP when <c>SMTP_HOST</c> is set; otherwise writes the invitation
/// with its token to the log so that a local user can still accept it (and warns once in production).
/// The token is never returned by the API: only the invitee's mailbox (or the operator's log) sees it.
/// </summary>
public sealed class InvitationMailer(SmtpOptions smtp, ILogger<InvitationMailer> logger)
{
    public async Task<bool> SendAsync(string email, string organizationName, string role, string token, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var acceptPath = $"/team/invitations/{token}/accept";
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            logger.LogWarning(
                "SMTP is not configured: invitation for {Email} to organization '{Organization}' as {Role}, valid until {ExpiresAt:u}. Accept with POST {AcceptUrl} while signed in as {Email}.",
                email, organizationName, role, expiresAt, smtp.PublicBaseUrl.TrimEnd('/') + acceptPath, email);
            return false;
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From ?? "no-reply@chatboost.local"));
        message.To.Add(MailboxAddress.Parse(email));
        message.Subject = $"You are invited to {organizationName} on ChatBoost";
        message.Body = new TextPart("plain")
        {
            Text = $"""
                You have been invited to join "{organizationName}" on ChatBoost as {role}.

                Sign in (or register) with this e-mail address, then accept the invitation:
                POST {smtp.PublicBaseUrl.TrimEnd('/')}{acceptPath}

                The invitation expires on {expiresAt:u}. If you did not expect it, ignore this e-mail.
                """,
        };

        try
        {
            using var client = new SmtpClient { Timeout = 15_000 };
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security switch
            {
                "ssl" => SecureSocketOptions.SslOnConnect,
                "none" => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTlsWhenAvailable,
            }, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or SmtpCommandException or SmtpProtocolException or AuthenticationException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            logger.LogError("Sending the invitation e-mail to {Email} failed: {Reason}", email, e.Message);
            return false;
        }
    }
}

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
