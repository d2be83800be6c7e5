namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// Settings of the event outlet's dispatchers and of the sweeper (configuration section <c>ContactEvents</c>).
/// </summary>
public sealed class ContactEventOptions
{
    public const string Section = "ContactEvents";

    /// <summary>The pause between two polls of a shard while events flow (the last poll delivered something).</summary>
    public TimeSpan BusyPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The pause between two polls of a shard that found nothing.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most events one subscriber receives in one batch (one transaction for a transactional subscriber).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The first pause after a subscriber failed; doubled on each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The sweeper's pause between two sweeps of a shard while its grain is active (the reminder is the floor).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The most contacts one sweep pokes, per kind of lag.</summary>
    public int SweepLimit { get; set; } = 200;

    /// <summary>The most inbound messages after the watermark one sweep reads.</summary>
    public int SweepScanLimit { get; set; } = 5_000;

    /// <summary>
    /// How old an unconsumed inbound message must be before the sweeper pokes its contact: the contact grain consumes
    /// right after the record, so a younger lag is the normal path, not a stranded message.
    /// </summary>
    public TimeSpan InboundLagGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The watermark moves only over messages older than this: no transaction inserting messages lasts that long, so no
    /// message with a lower id can still commit behind it.
    /// </summary>
    public TimeSpan WatermarkSettle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An execution <c>running</c> without an update for this long has (probably) lost the activation that ran it: its grain
    /// is poked. This is the durable wake-up of a step in flight (see <c>WakePlan</c>); with <see cref="SweepInterval"/> it
    /// bounds how soon such an execution resumes after a crash (30 s + 20 s). A false alarm is harmless: a grain whose step
    /// is in flight ignores the poke.
    /// </summary>
    public TimeSpan StaleRunningAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A waiting execution whose wake time passed this long ago has missed its timer and its reminder.</summary>
    public TimeSpan OverdueWakeGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Problems with the settings, for validation at start.</summary>
    public IEnumerable<string> Problems()
    {
        if (BusyPollInterval <= TimeSpan.Zero || IdlePollInterval < BusyPollInterval || IdlePollInterval > TimeSpan.FromMinutes(1))
        {
            yield return "ContactEvents: 0 < BusyPollInterval <= IdlePollInterval <= 1 minute.";
        }

        if (BatchSize is < 1 or > 10_000)
        {
            yield return "ContactEvents:BatchSize must be 1 to 10000.";
        }

        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            yield return "ContactEvents: 0 < FirstRetryDelay <= MaxRetryDelay.";
        }

        if (SweepInterval <= TimeSpan.Zero || SweepInterval > TimeSpan.FromMinutes(1))
        {
            yield return "ContactEvents:SweepInterval must be above 0 and at most 1 minute.";
        }

        if (SweepLimit < 1 || SweepScanLimit < 1)
        {
            yield return "ContactEvents: SweepLimit and SweepScanLimit must be positive.";
        }

        if (InboundLagGrace < TimeSpan.Zero || WatermarkSettle < InboundLagGrace || StaleRunningAfter <= TimeSpan.Zero || OverdueWakeGrace < TimeSpan.Zero)
        {
            yield return "ContactEvents: the sweeper's bounds must not be negative, and WatermarkSettle >= InboundLagGrace.";
        }
    }
}
