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
/// issued for 127.0.0.1 by a private certificate authority the fixture makes (<see cref="Authority"/>); the silos trust
/// that authority, and only it, through <c>SMTP_CA_FILE</c> (a PEM file with the authority's certificate, no key). A
/// second certificate for the same address (<see cref="UntrustedCertificate"/>) is issued by another authority, which
/// no one trusts. Attempts are capped at 2, so a refused mail is given up after one back-off (30 s).
/// </summary>
public sealed class NotificationStartTlsMailFixture : NotificationMailFixture
{
    public const string User = "chatboost-mailer";

    /// <summary>A canary: it must appear in no log and no mail.</summary>
    public const string Password = "smtp-canary-pw-5d21c7e0";

    public const int MaxAttempts = 2;

    private readonly X509Certificate2 _otherAuthority = TestCertificates.CreateAuthority("CN=smtp-impostor-ca.e2e.test");
    private string? _trustFile;

    public NotificationStartTlsMailFixture()
    {
        Certificate = TestCertificates.CreateRsa("CN=smtp-sink.e2e.test", IPAddress.Loopback, Authority);
        UntrustedCertificate = TestCertificates.CreateRsa("CN=smtp-impostor.e2e.test", IPAddress.Loopback, _otherAuthority);
    }

    /// <summary>The private certificate authority in the silos' <c>SMTP_CA_FILE</c>.</summary>
    public X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority("CN=smtp-ca.e2e.test");

    /// <summary>The certificate the sink presents: issued by <see cref="Authority"/>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A certificate for the same address issued by another authority, which no one trusts.</summary>
    public X509Certificate2 UntrustedCertificate { get; }

    protected override IReadOnlyDictionary<string, string?> SiloEnvironment => new Dictionary<string, string?>(base.SiloEnvironment)
    {
        ["SMTP_CA_FILE"] = _trustFile,
        ["NOTIFICATION_MAIL_MAX_ATTEMPTS"] = MaxAttempts.ToString(CultureInfo.InvariantCulture),
    };

    protected override Task<SmtpSink> StartSinkAsync()
    {
        _trustFile = TestCertificates.WriteTrustPem(Authority);
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
        Authority.Dispose();
        _otherAuthority.Dispose();
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
