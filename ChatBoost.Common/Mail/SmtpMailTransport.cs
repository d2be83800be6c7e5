using System.Net.Sockets;
using ChatBoost.Configuration;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace ChatBoost.Mail;

/// <summary>
/// MailKit over SMTP (<c>SMTP_HOST</c>, <c>SMTP_PORT</c>, <c>SMTP_USERNAME</c>, <c>SMTP_PASSWORD</c>, <c>SMTP_FROM</c>,
/// <c>SMTP_SECURITY</c>, <c>SMTP_CA_FILE</c>): one connection per mail, a 15 s timeout. <c>starttls</c> requires the
/// server to offer STARTTLS: without it nothing more is sent (no AUTH, no password). The server's certificate is checked
/// against the system's roots, or only against <c>SMTP_CA_FILE</c>'s when it is set (<see cref="SmtpServerTrust"/>).
/// A mail that cannot be sent — an address that does not parse, no connection, no STARTTLS or AUTH offered, a certificate
/// refused, a refusal by the server, a timeout — is logged with the subject, the recipient and the reason, never the body
/// or the password, and answers false. A cancellation of the caller's token is not a failed send: it propagates.
/// </summary>
public sealed class SmtpMailTransport(SmtpOptions smtp, ILogger logger) : IMailSender
{
    private readonly SmtpServerTrust? _trust = string.IsNullOrEmpty(smtp.CaFile)
        ? null
        : new SmtpServerTrust(CertificateFile.LoadPemBundle(smtp.CaFile, "SMTP_CA_FILE"));

    public bool IsConfigured => !string.IsNullOrWhiteSpace(smtp.Host);

    public string PublicUrl(string path) => smtp.PublicBaseUrl.TrimEnd('/') + path;

    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken, string? messageId = null)
    {
        if (smtp.Host is not { Length: > 0 } host || string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        string? certificateRefusal = null;
        try
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(smtp.From ?? "no-reply@chatboost.local"));
            message.To.Add(MailboxAddress.Parse(to));
            message.Subject = subject;
            if (messageId is not null)
            {
                message.MessageId = messageId;
            }

            message.Body = new TextPart("plain") { Text = body };
            using var client = new SmtpClient { Timeout = 15_000 };
            if (_trust is not null)
            {
                client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    var accepted = _trust.Accepts(certificate, chain, errors, out var reason);
                    certificateRefusal = reason;
                    return accepted;
                };
            }

            await client.ConnectAsync(host, smtp.Port, smtp.Security switch
            {
                "ssl" => SecureSocketOptions.SslOnConnect,
                "none" => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return true;
        }
        catch (Exception e) when (IsFailedSend(e, cancellationToken))
        {
            logger.LogError("Sending '{Subject}' to {Email} failed: {Reason}", subject, to, certificateRefusal ?? e.Message);
            return false;
        }
    }

    /// <summary>
    /// The exceptions of a mail that could not be sent. An <see cref="OperationCanceledException"/> is one only when the
    /// caller's token was not cancelled (a timeout inside MailKit); the caller's own cancellation (shutdown, an aborted
    /// request) propagates, so that it is not counted as an attempt the server refused.
    /// </summary>
    private static bool IsFailedSend(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException or SocketException or TimeoutException => true,
        SslHandshakeException or AuthenticationException or SaslException => true,
        CommandException or ProtocolException => true, // SmtpCommandException (a refusal), SmtpProtocolException
        ServiceNotConnectedException or ServiceNotAuthenticatedException => true,
        NotSupportedException => true, // STARTTLS (with starttls) or AUTH (with a user) not offered by the server
        ParseException => true, // SMTP_FROM or the recipient is not an address
        _ => false,
    };
}
