using ChatBoost.Grains.Interfaces.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Analytics;

/// <summary>The analytics module in the silo: settings, the raw-row reader, the aggregator, the rollup reads, and the start-up task that registers the aggregation's reminders.</summary>
public static class AnalyticsServices
{
    public static IServiceCollection AddChatBoostAnalytics(this IServiceCollection services)
    {
        services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnalyticsOptions>, AnalyticsOptionsValidator>();
        services.AddSingleton<RawFactReader>();
        services.AddSingleton<AnalyticsAggregator>();
        services.AddSingleton<AnalyticsRuns>();
        services.AddSingleton<LateChanges>();
        services.AddSingleton<RollupReader>();
        services.AddSingleton<FunnelQueries>();
        services.AddSingleton<OrganizationBots>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AggregationStartup>();
        return services;
    }

    private sealed class AnalyticsOptionsValidator : IValidateOptions<AnalyticsOptions>
    {
        public ValidateOptionsResult Validate(string? name, AnalyticsOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Registers the aggregation's reminders once the silo is active (every silo; idempotent).</summary>
    private sealed class AggregationStartup(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe<AggregationStartup>(
                ServiceLifecycleStage.Active, _ => grains.GetGrain<IAnalyticsAggregationGrain>(0).StartAsync(), _ => Task.CompletedTask);
    }
}
