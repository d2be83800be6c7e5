using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class NotificationMailComposerTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 5, 0, TimeSpan.Zero);

    private static string Url(string path) => "https://chat.example" + path;

    private static QueuedMail Row(long id, long user, bool digest, int attempts = 0) =>
        new(id, user, $"u{user}@example.test", true, digest, attempts, "mention", $"Title {id}", $"Body {id}", At.AddMinutes(id));

    [Fact]
    public void Each_immediate_row_is_a_mail_of_its_own_with_title_body_and_link()
    {
        var mails = NotificationMailComposer.Compose([Row(2, 7, false), Row(1, 7, false)], Url);

        Assert.Equal(new[] { 1L, 2L }, mails.Select(m => m.NotificationIds.Single()));
        var first = mails[0];
        Assert.Equal(("u7@example.test", "ChatBoost: Title 1", "notification-1@chatboost"), (first.To, first.Subject, first.MessageId));
        Assert.Contains("Title 1", first.Body, StringComparison.Ordinal);
        Assert.Contains("Body 1", first.Body, StringComparison.Ordinal);
        Assert.Contains("https://chat.example/notifications/unread", first.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Body 2", first.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_users_digest_rows_are_one_mail_listing_them_oldest_first_and_users_are_never_mixed()
    {
        var mails = NotificationMailComposer.Compose([Row(5, 7, true), Row(3, 7, true), Row(4, 8, true), Row(6, 7, false, attempts: 2), Row(9, 7, true, attempts: 1)], Url);

        Assert.Equal(3, mails.Count);
        var immediate = Assert.Single(mails, m => m.MessageId.StartsWith("notification-", StringComparison.Ordinal));
        Assert.Equal(6L, Assert.Single(immediate.NotificationIds));
        Assert.Equal(2, immediate.Attempts);
        var seven = Assert.Single(mails, m => m.UserId == 7 && m.MessageId.StartsWith("digest-", StringComparison.Ordinal));
        Assert.Equal(new[] { 3L, 5L, 9L }, seven.NotificationIds);
        Assert.Equal(("ChatBoost digest: 3 notifications", "digest-7-3-9@chatboost", 1), (seven.Subject, seven.MessageId, seven.Attempts));
        Assert.True(seven.Body.IndexOf("Title 3", StringComparison.Ordinal) < seven.Body.IndexOf("Title 5", StringComparison.Ordinal));
        Assert.True(seven.Body.IndexOf("Title 5", StringComparison.Ordinal) < seven.Body.IndexOf("Title 9", StringComparison.Ordinal));
        Assert.DoesNotContain("Title 4", seven.Body, StringComparison.Ordinal);
        var eight = Assert.Single(mails, m => m.UserId == 8);
        Assert.Equal(("u8@example.test", "ChatBoost digest: 1 notification"), (eight.To, eight.Subject));
    }

    [Fact]
    public void The_same_rows_compose_the_same_message_id_so_a_mail_sent_again_is_recognisable()
    {
        IReadOnlyList<QueuedMail> rows = [Row(3, 7, true), Row(5, 7, true), Row(8, 7, false)];
        Assert.Equal(
            NotificationMailComposer.Compose(rows, Url).Select(m => m.MessageId),
            NotificationMailComposer.Compose([.. rows.Reverse()], Url).Select(m => m.MessageId));
    }
}
