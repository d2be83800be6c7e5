using ChatBoost.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace ChatBoost.Mail;

/// <summary>
/// MailKit over SMTP (<c>SMTP_HOST</c>, <c>SMTP_PORT</c>, <c>SMTP_USERNAME</c>, <c>SMTP_PASSWORD</c>, <c>SMTP_FROM</c>,
/// <c>SMTP_SECURITY</c>): one connection per mail, a 15 s timeout. A failure is logged with the subject and the recipient,
/// never the body, and answers false.
/// </summary>
public sealed class SmtpMailTransport(SmtpOptions smtp, ILogger logger) : IMailSender
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(smtp.Host);

    public string PublicUrl(string path) => smtp.PublicBaseUrl.TrimEnd('/') + path;

    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken, string? messageId = null)
    {
        if (smtp.Host is not { Length: > 0 } host || string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From ?? "no-reply@chatboost.local"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        if (messageId is not null)
        {
            message.MessageId = messageId;
        }

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
