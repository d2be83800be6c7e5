namespace ChatBoost.Mail;

/// <summary>
/// Sends one plain-text mail. Both processes use it: the API for invitations and account mail, the silo for notification
/// e-mails. The production one is <see cref="SmtpMailTransport"/> (MailKit over the <c>SMTP_*</c> settings); grain tests
/// pass a recording one.
/// </summary>
public interface IMailSender
{
    /// <summary>False when <c>SMTP_HOST</c> is not set: nothing can be sent, and callers do not queue mail.</summary>
    bool IsConfigured { get; }

    /// <summary>An absolute link: the path under <c>PUBLIC_BASE_URL</c>.</summary>
    string PublicUrl(string path);

    /// <summary>
    /// True when the server took the message; false (logged without the body) when it could not be sent.
    /// <paramref name="messageId"/>, when given, is the message's Message-ID: the same mail sent again carries the same one.
    /// </summary>
    Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken, string? messageId = null);
}
