using System.Globalization;
using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Notifications;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Grains.Notifications;

/// <summary>
/// Which outlet events become notices to an organization, for whom (the permission that may read the resource) and with
/// what words. Pure: the hub asks it once per event. A delivery status becomes a <c>message_status</c> notice (a failure
/// for everyone; any other status only reaches users whose preferences want every change); a failed or completed
/// execution a <c>flow_event</c> (completed only for users who want it). Everything else is not a notification.
/// Failures coalesce per bot, so a burst of them is one notification with a count.
/// </summary>
public static class NotificationRouting
{
    public const string Failed = "failed";
    public const string Completed = "completed";

    public static OrganizationNotice? Route(ContactEvent e) => e.Type switch
    {
        ContactEventTypes.MessageStatus => MessageStatus(e),
        ContactEventTypes.FlowFailed => Flow(e, Failed),
        ContactEventTypes.FlowCompleted => Flow(e, Completed),
        _ => null,
    };

    /// <summary>The idempotency key of a notification made from outlet event <paramref name="eventId"/>.</summary>
    public static string SourceOf(long eventId) => "event:" + eventId.ToString(CultureInfo.InvariantCulture);

    private static OrganizationNotice? MessageStatus(ContactEvent e)
    {
        var status = Text(e.Data, "status");
        if (status is null)
        {
            return null;
        }

        var failed = string.Equals(status, Failed, StringComparison.Ordinal);
        var code = Text(e.Data, "error_code");
        var title = failed ? "Message delivery failed" : $"Message {status}";
        var body = failed
            ? $"A message to {e.ContactWaId} on bot {e.BotId} failed{(code is null ? "" : $" (error {code})")}."
            : $"A message to {e.ContactWaId} on bot {e.BotId} is {status}.";
        var draft = new NotificationDraft(
            SourceOf(e.Id), NotificationTypes.MessageStatus, status, title, body, e.OrganizationId, e.BotId, e.ContactId, e.ExecutionId, e.MessageId,
            CoalesceKey: failed ? $"message_status:failed:bot:{e.BotId}" : null);
        return new OrganizationNotice(draft, Permissions.MessagesRead);
    }

    private static OrganizationNotice Flow(ContactEvent e, string outcome)
    {
        var flow = e.FlowId?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var error = Text(e.Data, "error");
        var title = outcome == Failed ? "Flow failed" : "Flow completed";
        var body = outcome == Failed
            ? $"Flow {flow} failed for contact {e.ContactWaId} on bot {e.BotId}{(error is null ? "." : $": {Truncate(error, 300)}")}"
            : $"Flow {flow} completed for contact {e.ContactWaId} on bot {e.BotId}.";
        var draft = new NotificationDraft(
            SourceOf(e.Id), NotificationTypes.FlowEvent, outcome, title, body, e.OrganizationId, e.BotId, e.ContactId, e.ExecutionId, e.MessageId,
            CoalesceKey: outcome == Failed ? $"flow_event:failed:bot:{e.BotId}" : null);
        return new OrganizationNotice(draft, Permissions.FlowsRead);
    }

    private static string? Text(JsonElement data, string name)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
