using ChatBoost.Configuration;
using ChatBoost.Mail;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// The API's mail: plain text through <see cref="SmtpMailTransport"/> (<c>SMTP_*</c> settings), for invitations and account
/// mail. <see cref="MayLogTokens"/> is the one rule for mail that cannot be sent: only in Development (and the test
/// harness's Test environment) may a link carrying a token go to the log instead; elsewhere the log says that a mail could
/// not be delivered, never what it carried.
/// </summary>
public sealed class SmtpMailSender(SmtpOptions smtp, IHostEnvironment environment, ILogger<SmtpMailSender> logger)
{
    private readonly SmtpMailTransport _transport = new(smtp, logger);

    public bool IsConfigured => _transport.IsConfigured;

    public bool MayLogTokens => environment.IsDevelopment() || environment.IsEnvironment("Test");

    public string PublicUrl(string path) => _transport.PublicUrl(path);

    /// <summary>True when the SMTP server took the message; failures are logged (without the body) and false.</summary>
    public Task<bool> SendAsync(string to, string subject, string body, CancellationToken cancellationToken) =>
        _transport.SendAsync(to, subject, body, cancellationToken);
}
