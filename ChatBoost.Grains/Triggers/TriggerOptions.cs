namespace ChatBoost.Grains.Triggers;

/// <summary>
/// Settings of the triggers module (section <c>Triggers</c>; environment <c>TRIGGER_LOG_RETENTION_DAYS</c>,
/// <c>TRIGGER_CHAIN_MAX_STARTS</c>, <c>TRIGGER_CHAIN_WINDOW_MINUTES</c>, <c>TRIGGER_CHECK_INTERVAL</c>,
/// <c>TRIGGER_SCHEDULE_UPDATE_INTERVAL</c>, <c>TRIGGER_SCHEDULE_CATCH_UP_GRACE_MINUTES</c>).
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

    /// <summary>TRIGGER_CHECK_INTERVAL (seconds, ≥ 60: a reminder's shortest period): the period of a schedule trigger's
    /// reminder after its due tick — how late, at worst, an occurrence whose tick was lost (the silo died) is checked.</summary>
    public int CheckIntervalSeconds { get; set; } = 60;

    /// <summary>TRIGGER_SCHEDULE_UPDATE_INTERVAL (seconds): the furthest ahead a schedule reminder is registered; a tick at
    /// that cap only recomputes the next occurrence (<see cref="Schedules.ScheduleReminderPlan"/>).</summary>
    public int ScheduleUpdateIntervalSeconds { get; set; } = 86_400;

    /// <summary>TRIGGER_SCHEDULE_CATCH_UP_GRACE_MINUTES: how old a missed occurrence may be and still run once (the catch-up).</summary>
    public int CatchUpGraceMinutes { get; set; } = 60;

    /// <summary>How often a running broadcast looks at the pacer and starts the next contacts.</summary>
    public TimeSpan RunTickInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How far ahead a broadcast keeps the number's pacer booked (<see cref="Runs.BroadcastPacing"/>).</summary>
    public TimeSpan RunPacingLead { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan CheckInterval => TimeSpan.FromSeconds(CheckIntervalSeconds);

    public TimeSpan ScheduleUpdateInterval => TimeSpan.FromSeconds(ScheduleUpdateIntervalSeconds);

    public TimeSpan CatchUpGrace => TimeSpan.FromMinutes(CatchUpGraceMinutes);

    public Events.TriggerChain Chain => new(ChainMaxStarts, TimeSpan.FromMinutes(ChainWindowMinutes));
}
