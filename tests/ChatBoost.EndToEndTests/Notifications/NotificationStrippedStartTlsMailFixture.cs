using System.Globalization;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// The notification mail system whose silos are configured for STARTTLS with a user and a password
/// (<c>SMTP_SECURITY=starttls</c>, <see cref="NotificationStartTlsMailFixture.User"/> and its password) but reach a server
/// that does not offer STARTTLS and takes AUTH in plain text: what they see when a man in the middle strips STARTTLS from
/// the server's capabilities. Attempts are capped at 2, so the mail is given up after one back-off (30 s).
/// </summary>
public sealed class NotificationStrippedStartTlsMailFixture : NotificationMailFixture
{
    public const int MaxAttempts = 2;

    protected override IReadOnlyDictionary<string, string?> SiloEnvironment => new Dictionary<string, string?>(base.SiloEnvironment)
    {
        ["NOTIFICATION_MAIL_MAX_ATTEMPTS"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
    };

    protected override Task<SmtpSink> StartSinkAsync() =>
        SmtpSink.StartAsync(new SmtpSinkSecurity(Certificate: null, NotificationStartTlsMailFixture.User, NotificationStartTlsMailFixture.Password));
}
