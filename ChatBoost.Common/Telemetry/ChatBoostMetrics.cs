using System.Diagnostics.Metrics;

namespace ChatBoost.Telemetry;

/// <summary>
/// ChatBoost's own instruments, on the meter <see cref="MeterName"/>: one singleton per process, injected where each
/// fact happens (the webhook endpoint and its limiter in the API; the ingress, the outbox's sender, the contact store's
/// commits, the event outlet and the sweeper in the silo). The names are the contract of dashboards and alerts:
/// Prometheus shows them with dots as underscores and a <c>_total</c> suffix on counters.
/// </summary>
public sealed class ChatBoostMetrics
{
    public const string MeterName = "ChatBoost";

    /// <summary>Webhook deliveries answered, by <c>outcome</c>: <see cref="WebhookOutcomes"/>.</summary>
    public const string WebhookRequests = "chatboost.webhook.requests";
    public const string MessagesIn = "chatboost.messages.in";
    public const string MessagesOut = "chatboost.messages.out";

    /// <summary>Sends by <c>outcome</c>: <see cref="SendOutcomes"/>.</summary>
    public const string Sends = "chatboost.sends";

    public const string SendSlotsRetaken = "chatboost.send_slots_retaken";

    /// <summary>Executions by <c>outcome</c>: started, completed, failed.</summary>
    public const string Executions = "chatboost.executions";
    public const string CursorLag = "chatboost.outlet.cursor_lag";
    public const string SweeperFound = "chatboost.sweeper.found";

    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _messagesIn;
    private readonly Counter<long> _messagesOut;
    private readonly Counter<long> _sends;
    private readonly Counter<long> _slotsRetaken;
    private readonly Counter<long> _executions;
    private readonly Histogram<double> _cursorLag;
    private readonly Counter<long> _sweeperFound;

    public ChatBoostMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _webhooks = meter.CreateCounter<long>(WebhookRequests, "{request}", "Webhook deliveries answered, by outcome (acked, unavailable: 503 after a failure, overloaded: 503 from the concurrency limit, unauthorized, bad_request)");
        _messagesIn = meter.CreateCounter<long>(MessagesIn, "{message}", "Inbound WhatsApp messages recorded (duplicates of recorded ones not counted)");
        _messagesOut = meter.CreateCounter<long>(MessagesOut, "{message}", "Outbound messages Meta accepted");
        _sends = meter.CreateCounter<long>(Sends, "{send}", "Send attempts' outcomes (sent, failed, in_doubt, throttled, refused); a repeated call answered from its row is not counted");
        _slotsRetaken = meter.CreateCounter<long>(SendSlotsRetaken, "{send}", "Sends that woke too late for their pacing slot and took a new one instead of leaving on top of the next");
        _executions = meter.CreateCounter<long>(Executions, "{execution}", "Flow executions started and ended, by outcome");
        _cursorLag = meter.CreateHistogram<double>(CursorLag, "s", "Age of the oldest event of each batch the event outlet delivers to a subscriber: how far its cursor trails",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _sweeperFound = meter.CreateCounter<long>(SweeperFound, "{contact}", "Contacts the sweeper found stranded and poked, by reason");
    }

    public void WebhookAnswered(string outcome) => _webhooks.Add(1, Tag("outcome", outcome));

    public void MessagesRecorded(int count)
    {
        if (count > 0)
        {
            _messagesIn.Add(count);
        }
    }

    public void SendSlotRetaken() => _slotsRetaken.Add(1);

    public void SendFinished(string outcome)
    {
        _sends.Add(1, Tag("outcome", outcome));
        if (outcome == SendOutcomes.Sent)
        {
            _messagesOut.Add(1);
        }
    }

    public void ExecutionsChanged(string outcome, int count = 1)
    {
        if (count > 0)
        {
            _executions.Add(count, Tag("outcome", outcome));
        }
    }

    public void CursorLagObserved(string subscriber, TimeSpan lag) =>
        _cursorLag.Record(Math.Max(0, lag.TotalSeconds), Tag("subscriber", subscriber));

    public void SweeperFoundContacts(string reason, int count)
    {
        if (count > 0)
        {
            _sweeperFound.Add(count, Tag("reason", reason));
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}

/// <summary>The <c>outcome</c> values of <see cref="ChatBoostMetrics.WebhookRequests"/>.</summary>
public static class WebhookOutcomes
{
    public const string Acked = "acked";
    public const string Unavailable = "unavailable";
    public const string Overloaded = "overloaded";
    public const string Unauthorized = "unauthorized";
    public const string BadRequest = "bad_request";
}

/// <summary>The <c>outcome</c> values of <see cref="ChatBoostMetrics.Sends"/>.</summary>
public static class SendOutcomes
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string InDoubt = "in_doubt";
    public const string Throttled = "throttled";
    public const string Refused = "refused";
}
