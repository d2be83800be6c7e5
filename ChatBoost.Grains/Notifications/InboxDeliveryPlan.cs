using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Grains.Notifications;

/// <summary>A notification to insert: the first draft of its group, how many drafts it holds, whether to push it and mail it.</summary>
public sealed record PlannedInsert(NotificationDraft Draft, int Count, bool Push, bool Mail = false);

/// <summary>More counts for a notification that already exists (an open coalescing window).</summary>
/// A fold mails nothing (the notification's mail, when not sent yet, shows the count it has then) unless it turns into an
/// insert because its notification was read or deleted meanwhile.
public sealed record PlannedFold(long NotificationId, NotificationDraft Latest, int Added, bool Push, bool Mail = false);

/// <summary>
/// What an inbox does with the drafts whose sources it has not seen before, decided purely: each draft the preferences
/// want either opens a notification, or — when it has a coalesce key, the user coalesces, and a window of that key is
/// open (from an earlier delivery, or from a draft earlier in this one) — adds one to that notification's count.
/// Inserts keep the drafts' order.
/// </summary>
public sealed record InboxDeliveryPlan(IReadOnlyList<PlannedInsert> Inserts, IReadOnlyList<PlannedFold> Folds)
{
    public bool IsEmpty => Inserts.Count == 0 && Folds.Count == 0;

    public static InboxDeliveryPlan Make(
        NotificationPreferences preferences, NotificationCoalescer coalescer, IEnumerable<NotificationDraft> freshDrafts, DateTimeOffset now)
    {
        var inserts = new List<PlannedInsert>();
        var newByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var folds = new Dictionary<long, PlannedFold>();
        foreach (var draft in freshDrafts)
        {
            var wanted = NotificationPreferenceRules.Apply(preferences, draft);
            if (!wanted.Store)
            {
                continue;
            }

            var key = preferences.Coalesce ? draft.CoalesceKey : null;
            if (key is not null && newByKey.TryGetValue(key, out var index))
            {
                inserts[index] = inserts[index] with { Count = inserts[index].Count + 1, Mail = inserts[index].Mail || wanted.Mail };
            }
            else if (coalescer.FoldTarget(key, now) is { } existing)
            {
                folds[existing] = folds.TryGetValue(existing, out var fold)
                    ? fold with { Latest = draft, Added = fold.Added + 1, Push = fold.Push || wanted.Push, Mail = fold.Mail || wanted.Mail }
                    : new PlannedFold(existing, draft, 1, wanted.Push, wanted.Mail);
            }
            else
            {
                if (key is not null)
                {
                    newByKey[key] = inserts.Count;
                }

                inserts.Add(new PlannedInsert(draft with { CoalesceKey = key }, 1, wanted.Push, wanted.Mail));
            }
        }

        return new InboxDeliveryPlan(inserts, [.. folds.Values]);
    }
}
