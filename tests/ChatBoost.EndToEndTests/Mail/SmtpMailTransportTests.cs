using System.Collections;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using ChatBoost.Configuration;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.Mail;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ChatBoost.EndToEndTests.Mail;

/// <summary>
/// The MailKit transport itself (no ChatBoost process), against the in-process <see cref="SmtpSink"/>, with settings read
/// the way the processes read them (<see cref="SmtpOptions.Load"/> over <c>SMTP_*</c> variables): <c>starttls</c> sends
/// nothing — no AUTH — to a server that does not offer STARTTLS; <c>SMTP_CA_FILE</c> trusts exactly its roots and still
/// checks the host name; without it a private CA is not trusted; every failure answers false with its reason in the log
/// (never the password); the caller's cancellation propagates.
/// </summary>
public sealed class SmtpMailTransportTests : IDisposable
{
    private const string User = "transport-user";
    private const string Password = "transport-canary-pw-0b9e41";
    private const string To = "someone@e2e.test";
    private const string Subject = "Transport test";

    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("CN=smtp-test-ca");
    private readonly X509Certificate2 _otherAuthority = TestCertificates.CreateAuthority("CN=smtp-other-ca");
    private readonly List<string> _files = [];
    private readonly LogLines _log = new();

    [Fact]
    public async Task StartTls_ToAServerThatDoesNotOfferIt_SendsNoAuth_AndFailsNamingStartTls()
    {
        await using var sink = await SmtpSink.StartAsync(new SmtpSinkSecurity(Certificate: null, User, Password));

        Assert.False(await Transport(sink).SendAsync(To, Subject, "body", CancellationToken.None));

        Assert.Empty(sink.Logins);
        Assert.Empty(sink.Received);
        Assert.Contains($"Sending '{Subject}' to {To} failed:", _log.Text, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", _log.Text, StringComparison.Ordinal);
        AssertNoPassword();
    }

    [Fact]
    public async Task WithTheCaFile_ACertificateTheCaSigned_IsTrusted_AndTheMailGoesOverTlsAuthenticated()
    {
        using var certificate = TestCertificates.CreateRsa("CN=smtp-sink.e2e.test", IPAddress.Loopback, _authority);
        await using var sink = await SmtpSink.StartAsync(new SmtpSinkSecurity(certificate, User, Password));

        Assert.True(await Transport(sink, caFile: TrustFile(_authority)).SendAsync(To, Subject, "body", CancellationToken.None));

        var mail = Assert.Single(sink.To(To));
        Assert.True(mail.OverTls);
        Assert.Equal(User, mail.User);
        Assert.Equal(new SmtpLogin(User, Accepted: true, OverTls: true), Assert.Single(sink.Logins));
        AssertNoPassword();
    }

    [Fact]
    public async Task WithTheCaFile_ACertificateOfAnotherCa_IsRefusedBeforeAuth()
    {
        using var certificate = TestCertificates.CreateRsa("CN=smtp-impostor.e2e.test", IPAddress.Loopback, _otherAuthority);
        await using var sink = await SmtpSink.StartAsync(new SmtpSinkSecurity(certificate, User, Password));

        Assert.False(await Transport(sink, caFile: TrustFile(_authority)).SendAsync(To, Subject, "body", CancellationToken.None));

        Assert.Empty(sink.Logins);
        Assert.Empty(sink.Received);
        Assert.Contains("CN=smtp-impostor.e2e.test) does not chain to a root in SMTP_CA_FILE", _log.Text, StringComparison.Ordinal);
        AssertNoPassword();
    }

    [Fact]
    public async Task WithTheCaFile_ACertificateTheCaSignedForAnotherHost_IsRefusedBeforeAuth()
    {
        using var certificate = TestCertificates.CreateRsa("CN=elsewhere.e2e.test", IPAddress.Parse("192.0.2.10"), _authority);
        await using var sink = await SmtpSink.StartAsync(new SmtpSinkSecurity(certificate, User, Password));

        Assert.False(await Transport(sink, caFile: TrustFile(_authority)).SendAsync(To, Subject, "body", CancellationToken.None));

        Assert.Empty(sink.Logins);
        Assert.Contains("(CN=elsewhere.e2e.test) is not issued for the host", _log.Text, StringComparison.Ordinal);
        AssertNoPassword();
    }

    [Fact]
    public async Task WithoutTheCaFile_APrivateCaIsNotTrusted_AndTheSendFailsBeforeAuth()
    {
        using var certificate = TestCertificates.CreateRsa("CN=smtp-sink.e2e.test", IPAddress.Loopback, _authority);
        await using var sink = await SmtpSink.StartAsync(new SmtpSinkSecurity(certificate, User, Password));

        Assert.False(await Transport(sink).SendAsync(To, Subject, "body", CancellationToken.None));

        Assert.Empty(sink.Logins);
        Assert.Empty(sink.Received);
        Assert.Contains("The server's SSL certificate could not be validated", _log.Text, StringComparison.Ordinal);
        AssertNoPassword();
    }

    [Fact]
    public async Task ARecipientThatIsNotAnAddress_IsAFailedSend_LoggedWithTheRecipient()
    {
        await using var sink = await SmtpSink.StartAsync();
        const string broken = "\"unterminated@e2e.test"; // an unterminated quoted string: MimeKit refuses it

        Assert.False(await Transport(sink, security: "none").SendAsync(broken, Subject, "the body must not be logged", CancellationToken.None));

        Assert.Empty(sink.Received);
        Assert.Contains($"Sending '{Subject}' to {broken} failed:", _log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("the body must not be logged", _log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserForAServerThatOffersNoAuth_IsAFailedSend()
    {
        await using var sink = await SmtpSink.StartAsync();

        Assert.False(await Transport(sink, security: "none", user: User).SendAsync(To, Subject, "body", CancellationToken.None));

        Assert.Empty(sink.Received);
        Assert.Contains($"Sending '{Subject}' to {To} failed:", _log.Text, StringComparison.Ordinal);
        AssertNoPassword();
    }

    [Fact]
    public async Task TheCallersCancellation_Propagates_AndIsNotLoggedAsAFailedSend()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Transport(sink, security: "none").SendAsync(To, Subject, "body", cancelled.Token));

        Assert.Empty(sink.Received);
        Assert.DoesNotContain("failed", _log.Text, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }

        _authority.Dispose();
        _otherAuthority.Dispose();
    }

    /// <summary>The transport with the settings a process would read for <paramref name="sink"/>.</summary>
    private SmtpMailTransport Transport(SmtpSink sink, string? caFile = null, string security = "starttls", string? user = null)
    {
        var environment = new Hashtable
        {
            ["SMTP_HOST"] = "127.0.0.1",
            ["SMTP_PORT"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            ["SMTP_SECURITY"] = security,
            ["SMTP_FROM"] = "transport@e2e.test",
        };
        if (security != "none" || user is not null)
        {
            environment["SMTP_USERNAME"] = user ?? User;
            environment["SMTP_PASSWORD"] = Password;
        }

        if (caFile is not null)
        {
            environment["SMTP_CA_FILE"] = caFile;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(EnvironmentVariables.Read(environment)).Build();
        return new SmtpMailTransport(SmtpOptions.Load(configuration), _log);
    }

    private string TrustFile(params X509Certificate2[] roots)
    {
        var path = TestCertificates.WriteTrustPem(roots);
        _files.Add(path);
        return path;
    }

    private void AssertNoPassword() => Assert.DoesNotContain(Password, _log.Text, StringComparison.Ordinal);

    /// <summary>Every line the transport logs, formatted.</summary>
    private sealed class LogLines : ILogger
    {
        private readonly List<string> _lines = [];

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
