namespace ChatBoost.Grains.Triggers;

/// <summary>
/// Settings of the triggers module (section <c>Triggers</c>; environment <c>TRIGGER_LOG_RETENTION_DAYS</c>).
/// </summary>
public sealed class TriggerOptions
{
    public const string Section = "Triggers";

    /// <summary>How long trigger log lines are kept (statistics are kept for the trigger's life).</summary>
    public int LogRetentionDays { get; set; } = 90;

    /// <summary>How often the retention grain purges.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
