using System.Globalization;
using ChatBoost.Api.Http;
using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Api.Notifications;

/// <summary>
/// The list filters of <c>GET /notifications/</c>: <c>unread_only</c> (true/false), <c>type</c> (a known type),
/// <c>organization_id</c> (a positive id), <c>since</c> (an ISO 8601 time with offset); each bad value is a 422 naming it.
/// </summary>
public static class NotificationQuery
{
    public static bool TryParse(HttpRequest request, string? fixedType, bool unreadOnly, out NotificationFilter filter, out IResult? problem)
    {
        var errors = new ValidationErrors();
        var query = request.Query;
        var unread = unreadOnly;
        if (query["unread_only"].ToString() is { Length: > 0 } rawUnread && !bool.TryParse(rawUnread, out unread))
        {
            errors.Add("unread_only", "Must be true or false.");
        }

        var type = fixedType ?? (query["type"].ToString() is { Length: > 0 } t ? t : null);
        if (type is not null && !NotificationTypes.IsKnown(type))
        {
            errors.Add("type", $"Unknown notification type; one of {string.Join(", ", NotificationTypes.All)}.");
        }

        long? organization = null;
        if (query["organization_id"].ToString() is { Length: > 0 } rawOrganization)
        {
            if (long.TryParse(rawOrganization, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                organization = id;
            }
            else
            {
                errors.Add("organization_id", "Must be a positive integer id.");
            }
        }

        DateTimeOffset? since = null;
        if (query["since"].ToString() is { Length: > 0 } rawSince)
        {
            if (DateTimeOffset.TryParse(rawSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                since = at.ToUniversalTime();
            }
            else
            {
                errors.Add("since", "Must be an ISO 8601 date and time.");
            }
        }

        filter = new NotificationFilter(unread, type, organization, since);
        problem = errors.Any ? errors.ToResult() : null;
        return problem is null;
    }
}
