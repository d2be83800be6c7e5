using ChatBoost.Grains.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// The event outlet and the sweeper in the silo: the dispatchers' delivery, the subscribers (registered in
/// <see cref="ContactEventSubscriberRegistration.AddContactEventSubscribers"/>), the sweep, the live counters' reads, the
/// settings, and the start-up task that starts every shard's grains.
/// </summary>
public static class ContactEventServices
{
    public static IServiceCollection AddChatBoostContactEvents(this IServiceCollection services)
    {
        services.AddOptions<ContactEventOptions>().BindConfiguration(ContactEventOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ContactEventOptions>, ContactEventOptionsValidator>();
        services.AddSingleton<ContactEventDelivery>();
        services.AddSingleton<ContactEventSubscribers>();
        services.AddContactEventSubscribers();
        services.AddSingleton<ContactSweepQueries>();
        services.AddSingleton<ContactSweep>();
        services.AddSingleton<BotLiveCounterQueries>();

        // What ISiloBuilder.AddStartupTask does, on the service collection that SiloHost.AddChatBoostServices receives.
        services.AddSingleton<ShardWorkersStartupTask>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ShardWorkersStartup>();
        return services;
    }

    private sealed class ContactEventOptionsValidator : IValidateOptions<ContactEventOptions>
    {
        public ValidateOptionsResult Validate(string? name, ContactEventOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Runs the start-up task once the silo is active (reminders and grain calls work then).</summary>
    private sealed class ShardWorkersStartup(ShardWorkersStartupTask task) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe<ShardWorkersStartup>(ServiceLifecycleStage.Active, task.Execute, _ => Task.CompletedTask);
    }
}
