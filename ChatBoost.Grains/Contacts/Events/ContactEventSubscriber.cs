using Npgsql;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// A module that reacts to the outlet's events. <see cref="Name"/> keys its positions in
/// <c>contact_event_positions</c> (one per shard): renaming a subscriber starts it again from the first event.
/// Events reach a subscriber in (transaction, id) order per shard, so a contact's events arrive in the order they
/// committed. Implement one of the two kinds below; register it in <see cref="ContactEventSubscriberRegistration"/>.
/// </summary>
public interface IContactEventSubscriberBase
{
    string Name { get; }
}

/// <summary>
/// A subscriber whose whole effect is in this PostgreSQL database. It writes through the dispatcher's connection and
/// transaction, and the dispatcher commits its effect and its new position together: exactly once, even across a crash
/// or a second activation of the dispatcher (the position's update is conditional on the position it read). The batch's
/// <paramref name="shard"/> lets a subscriber keep rows per shard: no two shards' transactions then wait on one hot row.
/// </summary>
public interface ITransactionalContactEventSubscriber : IContactEventSubscriberBase
{
    Task HandleAsync(
        int shard, IReadOnlyList<ContactEvent> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>
/// A subscriber with an effect elsewhere (a grain call, an HTTP call, a cache). Its position is saved after it returns, so
/// after a crash it may see a batch again: at least once, and it must be idempotent by <see cref="ContactEvent.Id"/>.
/// </summary>
public interface IContactEventSubscriber : IContactEventSubscriberBase
{
    Task HandleAsync(IReadOnlyList<ContactEvent> batch, CancellationToken cancellationToken);
}
