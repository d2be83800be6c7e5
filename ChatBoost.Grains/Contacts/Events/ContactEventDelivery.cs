using System.Globalization;
using ChatBoost.Telemetry;
using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>What one delivery to one subscriber did: how many events it handed over, and where the subscriber now stands.</summary>
/// <param name="PositionMoved">Another dispatcher moved the stored position first; <paramref name="Position"/> is the stored one.</param>
public sealed record DeliveryResult(int Delivered, ContactEventPosition Position, bool BatchWasFull, bool PositionMoved = false);

/// <summary>What one delivery did for one subscriber of a group: its result, or the exception it failed with.</summary>
public sealed record SubscriberDelivery(IContactEventSubscriberBase Subscriber, DeliveryResult? Result, Exception? Error)
{
    public static SubscriberDelivery Failure(IContactEventSubscriberBase subscriber, Exception error) => new(subscriber, null, error);
}

/// <summary>
/// One delivery of one shard's next batch to a group of subscribers that stand at the same position, with one read of
/// the batch for all of them. The transactional ones share one transaction: the read, each one's effect and new position
/// inside a savepoint of its own (a subscriber that throws, or finds its position moved, is rolled back to its savepoint
/// alone), one commit — exactly once each. Then the others are handed the batch and their positions saved together, in
/// one round trip — at least once. A failure of the read or of the commit throws, and leaves every stored position where
/// it was. Per busy poll of a shard that is two transactions, not one or two per subscriber (bench/README.md, "The
/// outlet's transactions").
/// </summary>
public sealed class ContactEventDelivery(Database database, ChatBoostMetrics metrics, TimeProvider time)
{
    public async Task<Dictionary<string, ContactEventPosition>> ReadPositionsAsync(int shard, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ContactEventStore.ReadPositionsAsync(connection, shard, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers the batch after <paramref name="from"/> to every subscriber of the group; one outcome per subscriber.</summary>
    public async Task<IReadOnlyList<SubscriberDelivery>> DeliverGroupAsync(
        int shard, IReadOnlyList<IContactEventSubscriberBase> subscribers, ContactEventPosition from, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscribers);
        foreach (var subscriber in subscribers)
        {
            if (subscriber is not (ITransactionalContactEventSubscriber or IContactEventSubscriber))
            {
                throw new ArgumentException($"Subscriber '{subscriber.Name}' implements neither subscriber kind.", nameof(subscribers));
            }
        }

        var transactional = subscribers.OfType<ITransactionalContactEventSubscriber>().ToList();
        var plain = subscribers.Where(s => s is not ITransactionalContactEventSubscriber).Cast<IContactEventSubscriber>().ToList();
        var outcomes = new List<SubscriberDelivery>();
        var moved = new List<IContactEventSubscriberBase>();
        IReadOnlyList<PositionedContactEvent> batch;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (transactional.Count == 0)
            {
                batch = await ContactEventStore.ReadBatchAsync(connection, null, shard, from, limit, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                batch = await ContactEventStore.ReadBatchAsync(connection, transaction, shard, from, limit, cancellationToken).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    var committed = await HandleInTransactionAsync(shard, transactional, batch, from, connection, transaction, outcomes, moved, cancellationToken)
                        .ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    outcomes.AddRange(committed.Select(s => Delivered(s, batch, limit)));
                }
            }
        }

        if (batch.Count == 0)
        {
            return [.. subscribers.Select(s => new SubscriberDelivery(s, new DeliveryResult(0, from, BatchWasFull: false), null))];
        }

        // The connection went back to the pool: the others' effects may take a while.
        var handled = new List<IContactEventSubscriber>();
        foreach (var subscriber in plain)
        {
            try
            {
                await subscriber.HandleAsync(Events(batch), cancellationToken).ConfigureAwait(false);
                handled.Add(subscriber);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcomes.Add(SubscriberDelivery.Failure(subscriber, e));
            }
        }

        if (handled.Count > 0)
        {
            var saved = await SavePositionsAsync(shard, handled, from, batch[^1].Position, cancellationToken).ConfigureAwait(false);
            outcomes.AddRange(handled.Where((_, i) => saved[i]).Select(s => Delivered(s, batch, limit)));
            moved.AddRange(handled.Where((_, i) => !saved[i]));
        }

        if (moved.Count > 0)
        {
            var positions = await ReadPositionsAsync(shard, cancellationToken).ConfigureAwait(false);
            outcomes.AddRange(moved.Select(s => new SubscriberDelivery(
                s, new DeliveryResult(0, positions.GetValueOrDefault(s.Name, ContactEventPosition.Start), BatchWasFull: false, PositionMoved: true), null)));
        }

        return outcomes;
    }

    /// <summary>
    /// Each transactional subscriber's effect and position inside its own savepoint; returns those to commit. One that
    /// throws goes to <paramref name="outcomes"/> as a failure, one whose position another dispatcher moved to
    /// <paramref name="moved"/>; both leave nothing behind.
    /// </summary>
    private static async Task<List<ITransactionalContactEventSubscriber>> HandleInTransactionAsync(
        int shard, List<ITransactionalContactEventSubscriber> subscribers, IReadOnlyList<PositionedContactEvent> batch, ContactEventPosition from,
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<SubscriberDelivery> outcomes, List<IContactEventSubscriberBase> moved,
        CancellationToken cancellationToken)
    {
        var committed = new List<ITransactionalContactEventSubscriber>();
        var events = Events(batch);
        for (var i = 0; i < subscribers.Count; i++)
        {
            var subscriber = subscribers[i];
            var savepoint = "subscriber_" + i.ToString(CultureInfo.InvariantCulture);
            await transaction.SaveAsync(savepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                await subscriber.HandleAsync(shard, events, connection, transaction, cancellationToken).ConfigureAwait(false);
                if (await ContactEventStore.TrySavePositionAsync(connection, transaction, subscriber.Name, shard, from, batch[^1].Position, cancellationToken)
                        .ConfigureAwait(false))
                {
                    await transaction.ReleaseAsync(savepoint, cancellationToken).ConfigureAwait(false);
                    committed.Add(subscriber);
                }
                else
                {
                    await transaction.RollbackAsync(savepoint, cancellationToken).ConfigureAwait(false);
                    moved.Add(subscriber);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A rollback that fails too (the connection broke) throws: the whole group fails, nothing is committed.
                await transaction.RollbackAsync(savepoint, cancellationToken).ConfigureAwait(false);
                outcomes.Add(SubscriberDelivery.Failure(subscriber, e));
            }
        }

        return committed;
    }

    /// <summary>The positions of subscribers that handled the batch, in one round trip; per subscriber, whether it moved.</summary>
    private async Task<bool[]> SavePositionsAsync(
        int shard, List<IContactEventSubscriber> subscribers, ContactEventPosition from, ContactEventPosition to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ContactEventStore.TrySavePositionsAsync(connection, subscribers.Select(s => s.Name).ToList(), shard, from, to, cancellationToken)
            .ConfigureAwait(false);
    }

    private SubscriberDelivery Delivered(IContactEventSubscriberBase subscriber, IReadOnlyList<PositionedContactEvent> batch, int limit)
    {
        ObserveLag(subscriber, batch);
        return new SubscriberDelivery(subscriber, new DeliveryResult(batch.Count, batch[^1].Position, batch.Count == limit), null);
    }

    /// <summary>How far the subscriber's cursor trailed: the age of the batch's oldest event when the batch was done.</summary>
    private void ObserveLag(IContactEventSubscriberBase subscriber, IReadOnlyList<PositionedContactEvent> batch) =>
        metrics.CursorLagObserved(subscriber.Name, time.GetUtcNow() - batch[0].Event.OccurredAt);

    private static List<ContactEvent> Events(IReadOnlyList<PositionedContactEvent> batch) => batch.Select(e => e.Event).ToList();
}
