using System.Net;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using Npgsql;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Notification e-mail end to end: the real API and silo processes, the outbox (<c>notification_mails</c>) and MailKit
/// delivering to an SMTP server (<see cref="SmtpSink"/>). A user who turned the e-mail channel on gets one mail per
/// notification; one who did not gets none; a digest waits for its period; a refused mail is retried.
/// </summary>
/// <remarks>
/// Absence is never waited for by the clock. A notification is stored and its mail queued in one transaction, before the
/// API answers; so once a notification exists without an outbox row, no mail for it can ever be sent. And the mailer takes
/// due rows oldest first and sends a batch in order, so a mail that was queued before one that arrived would have arrived
/// first.
/// </remarks>
[Collection(NotificationSmtpCollection.Name)]
public sealed class NotificationSmtpTests(NotificationMailFixture fixture) : IClassFixture<NotificationMailFixture>
{
    private static readonly TimeSpan Timeout = NotificationMailFixture.MailTimeout;

    private ChatBoostSystem System => fixture.System;

    private HttpClient Http => System.Http;

    private SmtpSink Sink => fixture.Sink;

    [Fact]
    public async Task ATestNotificationIsMailedOnceToAUserWithTheEmailChannel_AndNotToOneWithout()
    {
        var quiet = await Http.NewUserAsync("mail-off");
        var mailed = await Http.NewUserAsync("mail-on");
        await fixture.EmailOnAsync(mailed.Token, "test");

        // The quiet user's notification comes first: had it queued a mail, that mail would be due, and sent, first.
        var quietId = await fixture.TestNotificationAsync(quiet.Token, "Not for the mailbox", "The e-mail channel is off.");
        const string title = "Your weekly numbers are ready";
        const string body = "Open the dashboard to see them.";
        var id = await fixture.TestNotificationAsync(mailed.Token, title, body);

        var mail = Assert.Single(await Sink.WaitForMailAsync(mailed.Email, Timeout));
        Assert.Equal([mailed.Email], mail.Recipients);
        Assert.Equal(mailed.Email, Assert.Single(mail.Message.To.Mailboxes).Address);
        Assert.Equal(NotificationMailFixture.From, Assert.Single(mail.Message.From.Mailboxes).Address);
        Assert.Contains(title, mail.Message.Subject, StringComparison.Ordinal);
        Assert.Contains(title, mail.Text, StringComparison.Ordinal);
        Assert.Contains(body, mail.Text, StringComparison.Ordinal);
        Assert.Contains(NotificationMailFixture.PublicBaseUrl + "/notifications/unread", mail.Text, StringComparison.Ordinal);
        Assert.Equal($"notification-{id}@chatboost", mail.Message.MessageId);
        NotificationMailFixture.AssertNoSecret(mail, mailed.Token, quiet.Token, fixture.Owner.Token, fixture.AdminToken);
        var row = await SentRowAsync(id);
        Assert.Equal(("sent", false, 1), (row?.State, row?.Digest, row?.Attempts));

        // Once: a sent row is never taken again; a later notification's mail arrives alone, after further batches.
        var marker = await fixture.TestNotificationAsync(mailed.Token, "Marker");
        var both = await Sink.WaitForMailAsync(mailed.Email, Timeout, count: 2);
        Assert.Equal([$"notification-{id}@chatboost", $"notification-{marker}@chatboost"], both.Select(m => m.Message.MessageId));

        Assert.Null(await fixture.MailRowAsync(quietId));
        Assert.Empty(Sink.To(quiet.Email));
    }

    [Fact]
    public async Task AFailedDeliveryFromMetaIsMailedToTheMemberWhoTurnedItsEmailOn_AndToNoOtherMember()
    {
        var mailed = await Http.NewUserAsync("status-mail-on");
        var quiet = await Http.NewUserAsync("status-mail-off");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, mailed, "viewer");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, quiet, "viewer");
        await fixture.EmailOnAsync(mailed.Token, "message_status");

        await fixture.FailDeliveryAsync("4915100000777");

        var mail = Assert.Single(await Sink.WaitForMailAsync(mailed.Email, Timeout));
        Assert.Contains("Message delivery failed", mail.Message.Subject, StringComparison.Ordinal);
        Assert.Contains("Message delivery failed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("4915100000777", mail.Text, StringComparison.Ordinal);
        NotificationMailFixture.AssertNoSecret(mail, mailed.Token, quiet.Token, fixture.Owner.Token, fixture.AdminToken);

        // The other members' inboxes are written by their own inbox grains, in no fixed order: wait until each holds the
        // notification (its outbox row, had there been one, was committed with it), then no row means no mail, ever.
        foreach (var member in new[] { quiet, fixture.Owner })
        {
            var id = await StatusNotificationAsync(member.Token);
            Assert.True(id is not null, $"{member.Email} got no message_status notification within {FlowEngineFixture.Deadline.TotalSeconds} s");
            Assert.Null(await fixture.MailRowAsync(id.Value));
            Assert.Empty(Sink.To(member.Email));
        }
    }

    [Fact]
    public async Task WithDigestOnTheMailWaitsForTheEndOfThePeriod_ThenOneMailListsEveryNotification()
    {
        var digest = await Http.NewUserAsync("digest");
        var marker = await Http.NewUserAsync("digest-marker");
        await fixture.EmailOnAsync(digest.Token, "test", digest: true);
        await fixture.EmailOnAsync(marker.Token, "test");
        var first = await fixture.TestNotificationAsync(digest.Token, "Digest item one", "First body.");
        var second = await fixture.TestNotificationAsync(digest.Token, "Digest item two", "Second body.");

        // The marker's immediate mail is queued after both digest rows: the mailer took due rows after they existed.
        await fixture.TestNotificationAsync(marker.Token, "Digest marker");
        await Sink.WaitForMailAsync(marker.Email, Timeout);
        Assert.Empty(Sink.To(digest.Email));
        var rows = new[] { (await fixture.MailRowAsync(first))!, (await fixture.MailRowAsync(second))! };
        var period = TimeSpan.FromMinutes(NotificationMailFixture.DigestMinutes);
        var now = await fixture.DatabaseNowAsync();
        foreach (var row in rows)
        {
            Assert.Equal(("pending", true, 0), (row.State, row.Digest, row.Attempts));
            Assert.True(row.DueAt > now, $"due at {row.DueAt:O}, now {now:O}: the digest row is due, not waiting");

            // Due at the end of the period its notification fell in (periods counted from the Unix epoch).
            Assert.Equal(0, (row.DueAt - DateTimeOffset.UnixEpoch).Ticks % period.Ticks);
            Assert.InRange(row.DueAt, row.NotificationCreatedAt, row.NotificationCreatedAt + period);
        }

        Assert.Equal(rows[0].DueAt, rows[1].DueAt);

        // The period ends (the clock cannot be moved forward a week, the rows' due time can): one mail lists both.
        await using (var db = await System.OpenDatabaseAsync())
        {
            await using var update = new NpgsqlCommand("UPDATE notification_mails SET due_at = now() WHERE notification_id = ANY(@ids)", db);
            update.Parameters.AddWithValue("ids", new[] { first, second });
            Assert.Equal(2, await update.ExecuteNonQueryAsync());
        }

        var mail = Assert.Single(await Sink.WaitForMailAsync(digest.Email, Timeout));
        Assert.Equal("ChatBoost digest: 2 notifications", mail.Message.Subject);
        Assert.Equal($"digest-{digest.Id}-{first}-{second}@chatboost", mail.Message.MessageId);
        Assert.True(mail.Text.IndexOf("Digest item one", StringComparison.Ordinal) is >= 0 and var one
            && mail.Text.IndexOf("Digest item two", StringComparison.Ordinal) > one, $"both titles, oldest first:\n{mail.Text}");
        Assert.Contains("Second body.", mail.Text, StringComparison.Ordinal);
        NotificationMailFixture.AssertNoSecret(mail, digest.Token, marker.Token);
        Assert.Equal("sent", (await SentRowAsync(first))?.State);
        Assert.Equal("sent", (await SentRowAsync(second))?.State);
    }

    [Fact]
    public async Task AMailTheServerRefusesWithA451IsRetriedAfterItsBackOff_AndDeliveredOnce()
    {
        var user = await Http.NewUserAsync("mail-retry");
        await fixture.EmailOnAsync(user.Token, "test");
        Sink.RefuseNext(user.Email);
        var id = await fixture.TestNotificationAsync(user.Token, "Delivered on the second attempt");

        await Sink.WaitForAsync(_ => Sink.Refused.Contains(user.Email), Timeout, $"the refusal of the mail to {user.Email}");
        var pending = await FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(id), r => r?.Attempts == 1);
        Assert.Equal(("pending", 1), (pending?.State, pending?.Attempts));
        Assert.NotNull(pending!.LastError);
        Assert.True(pending.DueAt > await fixture.DatabaseNowAsync(), $"retry due at {pending.DueAt:O}: no back-off");
        Assert.Empty(Sink.To(user.Email));

        // The first back-off is 30 s; the poll is every second.
        var mail = Assert.Single(await Sink.WaitForMailAsync(user.Email, TimeSpan.FromSeconds(30) + Timeout));
        Assert.Equal($"notification-{id}@chatboost", mail.Message.MessageId);
        Assert.Contains("Delivered on the second attempt", mail.Message.Subject, StringComparison.Ordinal);
        var sent = await SentRowAsync(id);
        Assert.Equal(("sent", 2), (sent?.State, sent?.Attempts));
        Assert.Single(Sink.Refused, r => r == user.Email);
    }

    /// <summary>
    /// The outbox row once it is marked sent (or the last one read): the sink holds a message as soon as the server has it,
    /// a moment before the mailer hears the server's answer and marks the row.
    /// </summary>
    private Task<MailRow?> SentRowAsync(long notificationId) =>
        FlowEngineFixture.PollAsync(() => fixture.MailRowAsync(notificationId), r => r?.State == "sent");

    /// <summary>The id of the caller's message_status notification, once it is in the inbox (null if none came in time).</summary>
    private async Task<long?> StatusNotificationAsync(string token)
    {
        var list = await FlowEngineFixture.PollAsync(
            async () =>
            {
                var (status, body, _) = await Http.GetJsonAsync("/notifications/by-type/message_status", token);
                Assert.Equal(HttpStatusCode.OK, status);
                return body!.AsArray();
            },
            l => l.Count > 0);
        return list.Count > 0 ? list[0]!["id"]!.GetValue<long>() : null;
    }
}
