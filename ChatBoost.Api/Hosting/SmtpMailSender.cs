using ChatBoost.Api.Organizations;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// Sends plain-text mail through SMTP (<c>SMTP_*</c> settings), for invitations and account mail.
/// <see cref="MayLogTokens"/> is the one rule for mail that cannot be sent: only in Development (and the
/// test harness's Test environment) may a link carrying a token go to the log instead; elsewhere the log
/// says that a mail could not be delivered, never what it carried.
/// </summary>
public sealed class SmtpMailSender(SmtpOptions smtp, IHostEnvironment environment, ILogger<SmtpMailSender> logger)
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(smtp.Host);

    public bool MayLogTokens => environment.IsDevelopment() || environment.IsEnvironment("Test");

    public string PublicUrl(string path) => smtp.PublicBaseUrl.TrimEnd('/') + path;

    /// <summary>True when the SMTP server took the message; failures are logged (without the body) and false.</summary>
    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        if (smtp.Host is not { Length: > 0 } host || string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From ?? "no-reply@chatboost.local"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        try
        {
            using var client = new SmtpClient { Timeout = 15_000 };
            await client.ConnectAsync(host, smtp.Port, smtp.Security switch
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
            logger.LogError("Sending '{Subject}' to {Email} failed: {Reason}", subject, to, e.Message);
            return false;
        }
    }
}
