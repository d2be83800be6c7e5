using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Grains.Notifications;

/// <summary>What a user's preferences do with a draft: store it in the inbox, push it on the WebSocket stream, mail it.</summary>
public readonly record struct Wanted(bool Store, bool Push, bool Mail = false)
{
    public static Wanted Nothing => new(false, false);
}

/// <summary>
/// The preference rules, pure. A type whose <c>in_app</c> is off is neither stored nor pushed (the stream replays from the
/// inbox, so it carries only what the inbox holds, and the e-mail outbox refers to the stored row); <c>websocket</c> off stores
/// without pushing; <c>email</c> on mails what is stored. A delivery status other
/// than <c>failed</c> needs <see cref="NotificationPreferences.AllMessageStatusChanges"/>; a completed flow
/// <see cref="NotificationPreferences.FlowCompleted"/>. A test notification is always stored, so a user can see one.
/// </summary>
public static class NotificationPreferenceRules
{
    public static Wanted Apply(NotificationPreferences preferences, NotificationDraft draft)
    {
        if (draft.Type == NotificationTypes.Test)
        {
            var test = preferences.For(draft.Type);
            return new Wanted(true, test.WebSocket, test.Email);
        }

        if (draft.Type == NotificationTypes.MessageStatus && draft.Event != NotificationRouting.Failed && !preferences.AllMessageStatusChanges)
        {
            return Wanted.Nothing;
        }

        if (draft.Type == NotificationTypes.FlowEvent && draft.Event == NotificationRouting.Completed && !preferences.FlowCompleted)
        {
            return Wanted.Nothing;
        }

        var channels = preferences.For(draft.Type);
        return channels.InApp ? new Wanted(true, channels.WebSocket, channels.Email) : Wanted.Nothing;
    }

    /// <summary>
    /// The preferences as stored: every known type present (missing ones take the defaults), unknown ones dropped.
    /// </summary>
    public static NotificationPreferences Complete(NotificationPreferences preferences) =>
        preferences with
        {
            Types = NotificationTypes.All.ToDictionary(t => t, preferences.For, StringComparer.Ordinal),
        };
}
