using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.Testing;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// The notification mail system whose SMTP server demands STARTTLS and then AUTH (<see cref="SmtpSinkSecurity"/>): the
/// silos get <c>SMTP_SECURITY=starttls</c>, <see cref="User"/> and <see cref="Password"/>. The server's certificate is
/// self-signed for 127.0.0.1, made by the fixture. The silos validate it as any server certificate, against the system's
/// trusted roots: ChatBoost has no setting of its own for a private CA, so the silos are given <c>SSL_CERT_FILE</c>, the
/// OpenSSL trust file that .NET on Linux reads besides the system's roots, holding this certificate. A second
/// certificate for the same address (<see cref="UntrustedCertificate"/>) is in no trust file. Attempts are capped at 2,
/// so a refused mail is given up after one back-off (30 s).
/// </summary>
public sealed class NotificationStartTlsMailFixture : NotificationMailFixture
{
    public const string User = "chatboost-mailer";

    /// <summary>A canary: it must appear in no log and no mail.</summary>
    public const string Password = "smtp-canary-pw-5d21c7e0";

    public const int MaxAttempts = 2;

    private string? _trustFile;

    /// <summary>The certificate the sink presents, and the one the silos trust.</summary>
    public X509Certificate2 Certificate { get; } = TestCertificates.CreateRsa("CN=smtp-sink.e2e.test", IPAddress.Loopback);

    /// <summary>A certificate for the same address that no one trusts.</summary>
    public X509Certificate2 UntrustedCertificate { get; } = TestCertificates.CreateRsa("CN=smtp-impostor.e2e.test", IPAddress.Loopback);

    protected override IReadOnlyDictionary<string, string?> SiloEnvironment => new Dictionary<string, string?>(base.SiloEnvironment)
    {
        ["SSL_CERT_FILE"] = _trustFile,
        ["NOTIFICATION_MAIL_MAX_ATTEMPTS"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
    };

    protected override Task<SmtpSink> StartSinkAsync()
    {
        _trustFile = TestCertificates.WriteTrustPem(Certificate);
        return SmtpSink.StartAsync(new SmtpSinkSecurity(Certificate, User, Password));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_trustFile is not null)
        {
            File.Delete(_trustFile);
        }

        Certificate.Dispose();
        UntrustedCertificate.Dispose();
    }

    /// <summary>
    /// Fails when <paramref name="text"/> (logs, a mail) carries the SMTP password: as it is, or base64-encoded the way AUTH PLAIN
    /// (<c>\0user\0password</c>) and AUTH LOGIN (the password alone) put it on the wire.
    /// </summary>
    public static void AssertNoSmtpPassword(string text)
    {
        (string Form, string Secret)[] forms =
        [
            ("as it is", Password),
            ("as AUTH PLAIN sends it", Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{User}\0{Password}"))),
            ("as AUTH LOGIN sends it", Convert.ToBase64String(Encoding.UTF8.GetBytes(Password))),
        ];
        foreach (var (form, secret) in forms)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the text carries the SMTP password {form}");
        }
    }
}
