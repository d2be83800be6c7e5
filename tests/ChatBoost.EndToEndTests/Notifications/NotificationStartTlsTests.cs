using System.Text.RegularExpressions;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Notification e-mail to an SMTP server that demands STARTTLS and AUTH (<see cref="NotificationStartTlsMailFixture"/>):
/// the silo's MailKit transport with <c>SMTP_SECURITY=starttls</c>, a user and a password. A mail arrives in an encrypted,
/// authenticated session; a password the server refuses is an attempt like any refusal (retried after its back-off,
/// given up after <c>NOTIFICATION_MAIL_MAX_ATTEMPTS</c>); a server whose certificate does not chain to the silo's
/// <c>SMTP_CA_FILE</c> never sees the password, and its mail is a failed attempt the same way. No log of the silo or the
/// API carries the password.
/// </summary>
[Collection(NotificationStartTlsCollection.Name)]
public sealed partial class NotificationStartTlsTests(NotificationStartTlsMailFixture fixture) : IClassFixture<NotificationStartTlsMailFixture>
{
    private static readonly TimeSpan Timeout = NotificationMailFixture.MailTimeout;

    private ChatBoostSystem System => fixture.System;

    private SmtpSink Sink => fixture.Sink;

    private ChildProcess Silo => Assert.Single(System.Silos);

    [Fact]
    public async Task TheMailArrivesInASessionTheSiloEncryptedWithStartTlsAndAuthenticated_AndThePasswordIsInNoLog()
    {
        var user = await System.Http.NewUserAsync("starttls-mail");
        await fixture.EmailOnAsync(user.Token, "test");
        const string title = "Sent over STARTTLS";
        var id = await fixture.TestNotificationAsync(user.Token, title, "Encrypted and authenticated.");

        var mail = Assert.Single(await Sink.WaitForMailAsync(user.Email, Timeout));
        Assert.True(mail.OverTls, "the sink took the mail in a session that never started TLS");
        Assert.Equal(NotificationStartTlsMailFixture.User, mail.User);
        Assert.Equal($"notification-{id}@chatboost", mail.Message.MessageId);
        Assert.Contains(title, mail.Message.Subject, StringComparison.Ordinal);
        Assert.Contains(Sink.Logins, l => l is { User: NotificationStartTlsMailFixture.User, Accepted: true, OverTls: true });
        NotificationMailFixture.AssertNoSecret(mail, user.Token, fixture.Owner.Token, fixture.AdminToken);
        NotificationStartTlsMailFixture.AssertNoSmtpPassword(mail.Raw);
        var row = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.State == "sent");
        Assert.Equal(("sent", 1), (row?.State, row?.Attempts));

        NotificationStartTlsMailFixture.AssertNoSmtpPassword(System.AllLogs);
    }

    [Fact]
    public async Task APasswordTheServerRefusesIsAFailedAttempt_RetriedAfterItsBackOff_ThenGivenUp_AndLoggedWithoutThePassword()
    {
        var user = await System.Http.NewUserAsync("smtp-refused-password");
        await fixture.EmailOnAsync(user.Token, "test");
        var mark = Silo.OutputLength;
        var logins = Sink.Logins.Count;

        // The server's password changes: the one the silo was configured with is now a wrong one.
        const string rotated = "rotated-on-the-server-81f4";
        Sink.ChangePassword(rotated);
        try
        {
            var id = await fixture.TestNotificationAsync(user.Token, "Refused at AUTH");

            var first = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.Attempts >= 1);
            Assert.Equal(("pending", 1), (first?.State, first?.Attempts));
            Assert.True(first!.DueAt > await fixture.DatabaseNowAsync(), $"retry due at {first.DueAt:O}: no back-off");

            // The first back-off is 30 s; the second attempt is the last (NOTIFICATION_MAIL_MAX_ATTEMPTS=2).
            var last = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.State != "pending");
            Assert.Equal(("failed", NotificationStartTlsMailFixture.MaxAttempts), (last?.State, last?.Attempts));
            Assert.True(last!.DueAt >= first.DueAt, $"given up at {last.DueAt:O}, before the retry was due ({first.DueAt:O})");
            Assert.StartsWith($"Attempt {NotificationStartTlsMailFixture.MaxAttempts}:", last.LastError, StringComparison.Ordinal);

            // Nothing was taken: every AUTH since was refused (over TLS, as the silo's user), none accepted.
            Assert.Empty(Sink.To(user.Email));
            var tried = Sink.Logins.Skip(logins).ToList();
            Assert.NotEmpty(tried);
            Assert.All(tried, l => Assert.Equal((NotificationStartTlsMailFixture.User, false, true), (l.User, l.Accepted, l.OverTls)));

            // The silo logged each refusal with the server's answer, then the give-up with the Message-ID and the user.
            var log = Silo.OutputSince(mark);
            Assert.Equal(NotificationStartTlsMailFixture.MaxAttempts, RefusalLine().Matches(log).Count(m => m.Groups["email"].Value == user.Email));
            Assert.Contains($"Notification mail notification-{id}@chatboost to user {user.Id} given up after {NotificationStartTlsMailFixture.MaxAttempts} attempts", log, StringComparison.Ordinal);
            NotificationStartTlsMailFixture.AssertNoSmtpPassword(System.AllLogs);
            Assert.DoesNotContain(rotated, System.AllLogs, StringComparison.Ordinal);
        }
        finally
        {
            Sink.ChangePassword(NotificationStartTlsMailFixture.Password);
        }
    }

    [Fact]
    public async Task ToAServerWhoseCertificateIsOfAnotherCa_ThePasswordIsNeverSent_AndTheMailIsAFailedAttempt_ThenGivenUp()
    {
        var user = await System.Http.NewUserAsync("smtp-impostor");
        await fixture.EmailOnAsync(user.Token, "test");
        var mark = Silo.OutputLength;
        var logins = Sink.Logins.Count;

        // A certificate for the same address from an authority not in SMTP_CA_FILE: what a server in the middle would present.
        Sink.PresentCertificate(fixture.UntrustedCertificate);
        try
        {
            var id = await fixture.TestNotificationAsync(user.Token, "Not for an impostor");

            // The refused certificate is a failed attempt like any refusal: retried after its back-off, then given up.
            var first = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.Attempts >= 1);
            Assert.Equal(("pending", 1), (first?.State, first?.Attempts));
            var last = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.State != "pending");
            Assert.Equal(("failed", NotificationStartTlsMailFixture.MaxAttempts), (last?.State, last?.Attempts));

            // The silo says why: the certificate does not chain to SMTP_CA_FILE's authority.
            var log = Silo.OutputSince(mark);
            Assert.Contains(
                $"to {user.Email} failed: the server's certificate (CN=smtp-impostor.e2e.test) does not chain to a root in SMTP_CA_FILE",
                log, StringComparison.Ordinal);
            Assert.Contains($"Notification mail notification-{id}@chatboost to user {user.Id} given up after {NotificationStartTlsMailFixture.MaxAttempts} attempts", log, StringComparison.Ordinal);

            Assert.Equal(logins, Sink.Logins.Count);
            Assert.Empty(Sink.To(user.Email));
            NotificationStartTlsMailFixture.AssertNoSmtpPassword(System.AllLogs);
        }
        finally
        {
            Sink.PresentCertificate(fixture.Certificate);
        }
    }

    /// <summary>The transport's line for a mail the server did not take at AUTH (535: authentication failed).</summary>
    [GeneratedRegex(@"Sending '[^']*' to (?<email>\S+) failed: 535")]
    private static partial Regex RefusalLine();
}
