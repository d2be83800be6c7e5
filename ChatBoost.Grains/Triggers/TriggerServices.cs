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
        services.AddOptions<TriggerOptions>().BindConfiguration(TriggerOptions.Section)
            .Validate(o => o.LogRetentionDays is >= 1 and <= 3650, "Triggers:LogRetentionDays must be 1 to 3650.")
            .Validate(o => o.RetentionInterval >= TimeSpan.FromMinutes(1), "Triggers:RetentionInterval must be at least a minute.")
            .Validate(o => o.ChainMaxStarts is >= 1 and <= 1000, "Triggers:ChainMaxStarts (TRIGGER_CHAIN_MAX_STARTS) must be 1 to 1000.")
            .Validate(o => o.ChainWindowMinutes is >= 1 and <= 10_080, "Triggers:ChainWindowMinutes (TRIGGER_CHAIN_WINDOW_MINUTES) must be 1 to 10080.")
            .Validate(o => o.EventMaxAge >= TimeSpan.FromMinutes(1), "Triggers:EventMaxAge must be at least a minute.")
            .ValidateOnStart();
        services.AddSingleton<TriggerStartupTask>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TriggerStartup>();
        return services;
    }

    /// <summary>Runs the start-up task once the silo is active (reminders and grain calls work then).</summary>
    private sealed class TriggerStartup(TriggerStartupTask task) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe<TriggerStartup>(ServiceLifecycleStage.Active, task.Execute, _ => Task.CompletedTask);
    }
}
