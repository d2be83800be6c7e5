namespace ChatBoost.Grains.Analytics;

/// <summary>The values of <c>bot_live_counters.counter</c> (migration 0090).</summary>
public static class LiveCounterNames
{
    public const string MessagesReceived = "messages_received";
    public const string MessagesSent = "messages_sent";
    public const string StatusesSent = "statuses_sent";
    public const string StatusesDelivered = "statuses_delivered";
    public const string StatusesRead = "statuses_read";
    public const string StatusesFailed = "statuses_failed";
    public const string SendsInDoubt = "sends_in_doubt";
    public const string ExecutionsStarted = "executions_started";
    public const string ExecutionsCompleted = "executions_completed";
    public const string ExecutionsFailed = "executions_failed";
    public const string ContactsCreated = "contacts_created";
    public const string OptIns = "opt_ins";
    public const string OptOuts = "opt_outs";
}
