using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Notification e-mail with <c>SMTP_SECURITY=starttls</c> to a server that does not offer STARTTLS but would take AUTH in
/// plain text (<see cref="NotificationStrippedStartTlsMailFixture"/>): the silo sends no AUTH, so the password never
/// crosses the wire in clear, and the mail is a failed attempt like any other — retried after its back-off, then given
/// up after <c>NOTIFICATION_MAIL_MAX_ATTEMPTS</c>, not retried forever.
/// </summary>
[Collection(NotificationStrippedStartTlsCollection.Name)]
public sealed class NotificationStrippedStartTlsTests(NotificationStrippedStartTlsMailFixture fixture) : IClassFixture<NotificationStrippedStartTlsMailFixture>
{
    private ChatBoostSystem System => fixture.System;

    private SmtpSink Sink => fixture.Sink;

    private ChildProcess Silo => Assert.Single(System.Silos);

    [Fact]
    public async Task WithoutStartTlsOnTheServer_NoAuthIsSent_AndTheMailIsAFailedAttempt_ThenGivenUp()
    {
        var user = await System.Http.NewUserAsync("smtp-stripped");
        await fixture.EmailOnAsync(user.Token, "test");
        var mark = Silo.OutputLength;

        var id = await fixture.TestNotificationAsync(user.Token, "Not in clear text");

        var first = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.Attempts >= 1);
        Assert.Equal(("pending", 1), (first?.State, first?.Attempts));
        Assert.True(first!.DueAt > await fixture.DatabaseNowAsync(), $"retry due at {first.DueAt:O}: no back-off");
        var last = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.State != "pending");
        Assert.Equal(("failed", NotificationStrippedStartTlsMailFixture.MaxAttempts), (last?.State, last?.Attempts));

        // The server would have taken AUTH in plain text; it never got one, nor a message.
        Assert.Empty(Sink.Logins);
        Assert.Empty(Sink.To(user.Email));

        // Each attempt is logged with the reason (STARTTLS not offered), then the give-up.
        var log = Silo.OutputSince(mark);
        Assert.Contains($"to {user.Email} failed: The SMTP server does not support the STARTTLS extension.", log, StringComparison.Ordinal);
        Assert.Contains($"Notification mail notification-{id}@chatboost to user {user.Id} given up after {NotificationStrippedStartTlsMailFixture.MaxAttempts} attempts", log, StringComparison.Ordinal);
        NotificationStartTlsMailFixture.AssertNoSmtpPassword(System.AllLogs);
    }
}
