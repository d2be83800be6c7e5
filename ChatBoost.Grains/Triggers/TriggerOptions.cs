namespace ChatBoost.Grains.Triggers;

/// <summary>
/// Settings of the triggers module (section <c>Triggers</c>; environment <c>TRIGGER_LOG_RETENTION_DAYS</c>,
/// <c>TRIGGER_CHAIN_MAX_STARTS</c>, <c>TRIGGER_CHAIN_WINDOW_MINUTES</c>).
/// </summary>
public sealed class TriggerOptions
{
    public const string Section = "Triggers";

    /// <summary>How long trigger log lines are kept (statistics are kept for the trigger's life).</summary>
    public int LogRetentionDays { get; set; } = 90;

    /// <summary>How often the retention grain purges.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Per contact, at most this many executions started by flow_completed/flow_failed triggers within
    /// <see cref="ChainWindowMinutes"/> (<see cref="Events.TriggerChain"/>).</summary>
    public int ChainMaxStarts { get; set; } = 10;

    public int ChainWindowMinutes { get; set; } = 60;

    /// <summary>An event older than this fires no trigger (a new subscriber starts at the beginning of the outlet's history).</summary>
    public TimeSpan EventMaxAge { get; set; } = TimeSpan.FromDays(1);

    public Events.TriggerChain Chain => new(ChainMaxStarts, TimeSpan.FromMinutes(ChainWindowMinutes));
}
