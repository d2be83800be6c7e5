using ChatBoost.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Notifications;

/// <summary>What one batch did: rows taken, mails the server took, mails that failed, rows skipped or given back.</summary>
public readonly record struct MailBatchResult(int Taken, int Sent, int Failed, int Skipped, int Released);

/// <summary>
/// One batch of the notification e-mail outbox: take due rows under a fresh lease, compose (<see cref="NotificationMailComposer"/>),
/// send each mail, settle its rows — sent, or a failed attempt with back-off (<see cref="NotificationMailRules.AfterFailure"/>),
/// given up after <see cref="NotificationOptions.MailMaxAttempts"/>. Mails are not started when the lease is about to run
/// out; their rows are given back. A row is marked sent only under the lease that sent it; a crash between the send and
/// the mark leaves the row leased, and after the lease it is sent again with the same Message-ID (at least once).
/// An exception from the sender is not an SMTP failure (the transport answers false for every mail it could not send,
/// whatever the reason): it propagates, and the rows wait for their lease to expire, as after a crash. So does the
/// cancellation of <c>cancellationToken</c> (a shutdown): a mail interrupted by it was not refused, and spends no attempt.
/// </summary>
public sealed class NotificationMailDispatcher(
    NotificationMailStore store, IMailSender sender, IOptions<NotificationOptions> options, TimeProvider time, ILogger<NotificationMailDispatcher> logger)
{
    public const int BatchSize = 100;

    public async Task<MailBatchResult> RunBatchAsync(CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid();
        var now = time.GetUtcNow();
        var leaseUntil = now + NotificationMailRules.Lease;
        var rows = await store.TakeAsync(token, now, leaseUntil, BatchSize).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return default;
        }

        var unreachable = rows.Where(r => !r.UserActive || r.Email.Length == 0).Select(r => r.NotificationId).ToList();
        var skipped = unreachable.Count > 0 ? await store.MarkSkippedAsync(token, unreachable, now).ConfigureAwait(false) : 0;
        var mails = NotificationMailComposer.Compose(rows.Where(r => r.UserActive && r.Email.Length > 0), sender.PublicUrl);
        int sent = 0, failed = 0, released = 0;
        for (var i = 0; i < mails.Count; i++)
        {
            var mail = mails[i];
            if (time.GetUtcNow() > leaseUntil - NotificationMailRules.LeaseMargin)
            {
                released = await store.ReleaseAsync(token, [.. mails.Skip(i).SelectMany(m => m.NotificationIds)]).ConfigureAwait(false);
                break;
            }

            if (await sender.SendAsync(mail.To, mail.Subject, mail.Body, cancellationToken, mail.MessageId).ConfigureAwait(false))
            {
                sent++;
                if (await store.MarkSentAsync(token, mail.NotificationIds, time.GetUtcNow()).ConfigureAwait(false) < mail.NotificationIds.Count)
                {
                    logger.LogWarning("Notification mail {MessageId} was sent after its lease ran out; another mailer may send it too", mail.MessageId);
                }

                continue;
            }

            failed++;
            var attempts = mail.Attempts + 1;
            var retry = NotificationMailRules.AfterFailure(attempts, options.Value.MailMaxAttempts, time.GetUtcNow());
            await store.MarkFailedAttemptAsync(token, mail.NotificationIds, retry, $"Attempt {attempts}: the SMTP server did not take the message.", time.GetUtcNow())
                .ConfigureAwait(false);
            if (retry.GiveUp)
            {
                logger.LogError("Notification mail {MessageId} to user {UserId} given up after {Attempts} attempts", mail.MessageId, mail.UserId, attempts);
            }
            else
            {
                logger.LogWarning("Notification mail {MessageId} to user {UserId} failed (attempt {Attempts}); next at {DueAt:O}", mail.MessageId, mail.UserId, attempts, retry.DueAt);
            }
        }

        return new MailBatchResult(rows.Count, sent, failed, skipped, released);
    }
}
