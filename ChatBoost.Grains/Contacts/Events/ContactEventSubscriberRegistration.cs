using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// THE list of the outlet's subscribers. A module that reacts to contact events adds its subscriber here (one line), as a
/// singleton of <see cref="IContactEventSubscriberBase"/>; every shard's dispatcher delivers to each.
/// </summary>
public static class ContactEventSubscriberRegistration
{
    public static IServiceCollection AddContactEventSubscribers(this IServiceCollection services)
    {
        services.AddSingleton<IContactEventSubscriberBase, LiveCountersSubscriber>();
        services.AddSingleton<IContactEventSubscriberBase, Triggers.TriggerLogSubscriber>();
        services.AddSingleton<IContactEventSubscriberBase, Triggers.Events.EventTriggerSubscriber>();
        services.AddSingleton<IContactEventSubscriberBase, NotificationsSubscriber>();
        return services;
    }
}

/// <summary>The registered subscribers, as each dispatcher grain sees them (names checked unique at start).</summary>
public sealed class ContactEventSubscribers
{
    public ContactEventSubscribers(IEnumerable<IContactEventSubscriberBase> subscribers)
    {
        All = subscribers.ToList();
        foreach (var subscriber in All)
        {
            if (subscriber is not (ITransactionalContactEventSubscriber or IContactEventSubscriber))
            {
                throw new InvalidOperationException($"Contact event subscriber '{subscriber.Name}' implements neither subscriber kind.");
            }

            if (subscriber.Name.Length is < 1 or > 64)
            {
                throw new InvalidOperationException($"Contact event subscriber name '{subscriber.Name}' must be 1 to 64 characters.");
            }
        }

        var duplicate = All.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two contact event subscribers are named '{duplicate.Key}'.");
        }
    }

    public IReadOnlyList<IContactEventSubscriberBase> All { get; }
}
