namespace ChatBoost.Grains.Interfaces.Notifications;

/// <summary>
/// A one-time WebSocket ticket (key: the SHA-256 of the ticket, never the ticket): issued by <c>POST
/// /notifications/ws-ticket</c> to a bearer-authenticated user, redeemed once by <c>/ws?ticket=</c> on any API process.
/// Held in memory only (it lives seconds; a lost one costs the client a new request).
/// </summary>
[Alias("chatboost.notifications.IWebSocketTicketGrain")]
public interface IWebSocketTicketGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task IssueAsync(WebSocketTicket ticket);

    /// <summary>The ticket the first time it is redeemed before it expires; null ever after.</summary>
    [Alias("Redeem")]
    Task<WebSocketTicket?> RedeemAsync();
}

/// <summary>Whose socket the ticket opens, until when the ticket is valid, and when the bearer token it came from expires.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.notifications.WebSocketTicket")]
public sealed record WebSocketTicket(
    [property: Id(0)] long UserId,
    [property: Id(1)] DateTimeOffset ValidUntil,
    [property: Id(2)] DateTimeOffset TokenExpiresAt);
