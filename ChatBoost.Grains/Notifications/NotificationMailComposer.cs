using System.Globalization;
using System.Text;

namespace ChatBoost.Grains.Notifications;

/// <summary>A taken outbox row with what its mail needs: the notification's title (with its count) and body, the recipient.</summary>
public sealed record QueuedMail(
    long NotificationId, long UserId, string Email, bool UserActive, bool Digest, int Attempts, string Type, string Title, string Body, DateTimeOffset CreatedAt);

/// <summary>One mail to send, and the outbox rows it settles.</summary>
public sealed record OutgoingMail(long UserId, string To, string Subject, string Body, string MessageId, IReadOnlyList<long> NotificationIds, int Attempts);

/// <summary>
/// Turns taken outbox rows into mails, purely: each immediate row is a mail of its own; a user's digest rows are one mail
/// listing them oldest first. Plain text: the notification's title and body and a link under <c>PUBLIC_BASE_URL</c>,
/// nothing else (no tokens, no ids of other users). The Message-ID is derived from the rows, so a mail sent again after a
/// crash between the send and the mark carries the same one.
/// </summary>
public static class NotificationMailComposer
{
    public const string InboxPath = "/notifications/unread";

    public static IReadOnlyList<OutgoingMail> Compose(IEnumerable<QueuedMail> rows, Func<string, string> publicUrl)
    {
        var link = publicUrl(InboxPath);
        var mails = new List<OutgoingMail>();
        foreach (var row in rows.Where(r => !r.Digest).OrderBy(r => r.NotificationId))
        {
            mails.Add(new OutgoingMail(
                row.UserId,
                row.Email,
                $"ChatBoost: {row.Title}",
                $"{row.Title}\n\n{row.Body}\n\nOpen your notifications: {link}\n",
                $"notification-{row.NotificationId}@chatboost",
                [row.NotificationId],
                row.Attempts));
        }

        foreach (var group in rows.Where(r => r.Digest).GroupBy(r => r.UserId).OrderBy(g => g.Key))
        {
            var items = group.OrderBy(r => r.NotificationId).ToList();
            var body = new StringBuilder();
            body.Append(CultureInfo.InvariantCulture, $"{items.Count} new notification{(items.Count == 1 ? "" : "s")} on ChatBoost:\n");
            foreach (var item in items)
            {
                body.Append(CultureInfo.InvariantCulture, $"\n- {item.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC  {item.Title}\n  {item.Body}\n");
            }

            body.Append(CultureInfo.InvariantCulture, $"\nOpen your notifications: {link}\n");
            mails.Add(new OutgoingMail(
                group.Key,
                items[0].Email,
                $"ChatBoost digest: {items.Count} notification{(items.Count == 1 ? "" : "s")}",
                body.ToString(),
                $"digest-{group.Key}-{items[0].NotificationId}-{items[^1].NotificationId}@chatboost",
                [.. items.Select(i => i.NotificationId)],
                items.Max(i => i.Attempts)));
        }

        return mails;
    }
}
