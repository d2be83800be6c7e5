using ChatBoost.Grains.Interfaces.Notifications;

namespace ChatBoost.Grains.Notifications;

/// <inheritdoc cref="IWebSocketTicketGrain"/>
public sealed class WebSocketTicketGrain(TimeProvider time) : Grain, IWebSocketTicketGrain
{
    private WebSocketTicket? _ticket;
    private bool _redeemed;

    public Task IssueAsync(WebSocketTicket ticket)
    {
        if (_ticket is not null)
        {
            throw new InvalidOperationException("A ticket is issued once.");
        }

        _ticket = ticket;
        return Task.CompletedTask;
    }

    public Task<WebSocketTicket?> RedeemAsync()
    {
        var ticket = _ticket;
        if (ticket is null || _redeemed || time.GetUtcNow() >= ticket.ValidUntil)
        {
            return Task.FromResult<WebSocketTicket?>(null);
        }

        _redeemed = true;
        DeactivateOnIdle();
        return Task.FromResult<WebSocketTicket?>(ticket);
    }
}
