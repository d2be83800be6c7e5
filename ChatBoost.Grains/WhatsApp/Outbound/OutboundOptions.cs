namespace ChatBoost.Grains.WhatsApp.Outbound;

/// <summary>Bounds of the outbound sender and its reconciler (configuration section <c>Outbound</c>; TimeSpans as <c>"00:00:02"</c>).</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>How long a flow send may wait for its pacing slot (NotAfter = now + this); past it the step is throttled.</summary>
    public TimeSpan FlowSlotWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A row <c>sending</c> longer than this lost its caller (far above the client's total timeout): it becomes <c>in_doubt</c>.</summary>
    public TimeSpan SendingStaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An API send still <c>queued</c> after this was abandoned before any attempt: it becomes <c>failed</c>.</summary>
    public TimeSpan QueuedAbandonedAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a status whose wamid is not stored yet is kept.</summary>
    public TimeSpan EarlyStatusTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows the reconciler moves per statement.</summary>
    public int ReconcileBatch { get; set; } = 1000;
}
