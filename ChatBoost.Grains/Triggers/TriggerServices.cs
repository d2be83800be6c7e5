using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Triggers;

/// <summary>The triggers module's services in the silo.</summary>
public static class TriggerServices
{
    public static IServiceCollection AddChatBoostTriggers(this IServiceCollection services)
    {
        services.AddSingleton<TriggerStore>();
        services.AddSingleton<TriggerQueries>();
        services.AddSingleton<TriggerLogWriter>();
        services.AddSingleton<OptKeywordStore>();
        services.AddSingleton<Events.EventTriggerStore>();
        services.AddSingleton<Events.EventTriggerFiring>();
        services.AddSingleton<Schedules.TriggerScheduleStore>();
        services.AddSingleton<Runs.TriggerRunStore>();
        services.AddSingleton<Runs.AudienceQuery>();
        services.AddSingleton<Runs.TriggerRunLauncher>();
        services.AddOptions<TriggerOptions>().BindConfiguration(TriggerOptions.Section)
            .Validate(o => o.LogRetentionDays is >= 1 and <= 3650, "Triggers:LogRetentionDays must be 1 to 3650.")
            .Validate(o => o.RetentionInterval >= TimeSpan.FromMinutes(1), "Triggers:RetentionInterval must be at least a minute.")
            .Validate(o => o.ChainMaxStarts is >= 1 and <= 1000, "Triggers:ChainMaxStarts (TRIGGER_CHAIN_MAX_STARTS) must be 1 to 1000.")
            .Validate(o => o.ChainWindowMinutes is >= 1 and <= 10_080, "Triggers:ChainWindowMinutes (TRIGGER_CHAIN_WINDOW_MINUTES) must be 1 to 10080.")
            .Validate(o => o.CheckIntervalSeconds is >= 60 and <= 86_400, "Triggers:CheckIntervalSeconds (TRIGGER_CHECK_INTERVAL) must be 60 to 86400.")
            .Validate(o => o.ScheduleUpdateIntervalSeconds is >= 60 and <= 2_592_000,
                "Triggers:ScheduleUpdateIntervalSeconds (TRIGGER_SCHEDULE_UPDATE_INTERVAL) must be 60 to 2592000 (30 days).")
            .Validate(o => o.CatchUpGraceMinutes is >= 0 and <= 10_080, "Triggers:CatchUpGraceMinutes (TRIGGER_SCHEDULE_CATCH_UP_GRACE_MINUTES) must be 0 to 10080.")
            .Validate(o => o.RunTickInterval >= TimeSpan.FromMilliseconds(10) && o.RunPacingLead >= TimeSpan.FromMilliseconds(100),
                "Triggers:RunTickInterval must be at least 10 ms and Triggers:RunPacingLead at least 100 ms.")
            .Validate(o => o.EventMaxAge >= TimeSpan.FromMinutes(1), "Triggers:EventMaxAge must be at least a minute.")
            .ValidateOnStart();
        services.AddSingleton<TriggerStartupTask>();
        services.AddSingleton<Runs.ScheduleResumption>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TriggerStartup>();
        return services;
    }

    /// <summary>Runs the start-up task once the silo is active (reminders and grain calls work then).</summary>
    private sealed class TriggerStartup(TriggerStartupTask task, Runs.ScheduleResumption resumption) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe<TriggerStartup>(ServiceLifecycleStage.Active, async cancellationToken =>
            {
                await task.Execute(cancellationToken);
                await resumption.Execute(cancellationToken);
            }, _ => Task.CompletedTask);
    }
}
