using ChatBoost.Telemetry;
using ChatBoost.Grains.Infrastructure;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>What one delivery to one subscriber did: how many events it handed over, and where the subscriber now stands.</summary>
/// <param name="PositionMoved">Another dispatcher moved the stored position first; <paramref name="Position"/> is the stored one.</param>
public sealed record DeliveryResult(int Delivered, ContactEventPosition Position, bool BatchWasFull, bool PositionMoved = false);

/// <summary>
/// One delivery of one shard's next batch to one subscriber: for a transactional subscriber, read, effect and position in
/// one transaction (exactly once); for any other, read, hand over, then save the position (at least once). A failure
/// throws and leaves the stored position where it was.
/// </summary>
public sealed class ContactEventDelivery(Database database, ChatBoostMetrics metrics, TimeProvider time)
{
    public async Task<Dictionary<string, ContactEventPosition>> ReadPositionsAsync(int shard, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ContactEventStore.ReadPositionsAsync(connection, shard, cancellationToken).ConfigureAwait(false);
    }

    public Task<DeliveryResult> DeliverAsync(
        int shard, IContactEventSubscriberBase subscriber, ContactEventPosition from, int limit, CancellationToken cancellationToken) =>
        subscriber switch
        {
            ITransactionalContactEventSubscriber transactional => DeliverInTransactionAsync(shard, transactional, from, limit, cancellationToken),
            IContactEventSubscriber plain => DeliverThenSaveAsync(shard, plain, from, limit, cancellationToken),
            _ => throw new ArgumentException($"Subscriber '{subscriber.Name}' implements neither subscriber kind.", nameof(subscriber)),
        };

    private async Task<DeliveryResult> DeliverInTransactionAsync(
        int shard, ITransactionalContactEventSubscriber subscriber, ContactEventPosition from, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var batch = await ContactEventStore.ReadBatchAsync(connection, transaction, shard, from, limit, cancellationToken).ConfigureAwait(false);
        if (batch.Count == 0)
        {
            return new DeliveryResult(0, from, BatchWasFull: false);
        }

        await subscriber.HandleAsync(shard, Events(batch), connection, transaction, cancellationToken).ConfigureAwait(false);
        var to = batch[^1].Position;
        if (!await ContactEventStore.TrySavePositionAsync(connection, transaction, subscriber.Name, shard, from, to, cancellationToken).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return await MovedAsync(shard, subscriber, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        ObserveLag(subscriber, batch);
        return new DeliveryResult(batch.Count, to, batch.Count == limit);
    }

    private async Task<DeliveryResult> DeliverThenSaveAsync(
        int shard, IContactEventSubscriber subscriber, ContactEventPosition from, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<PositionedContactEvent> batch;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            batch = await ContactEventStore.ReadBatchAsync(connection, null, shard, from, limit, cancellationToken).ConfigureAwait(false);
        }

        if (batch.Count == 0)
        {
            return new DeliveryResult(0, from, BatchWasFull: false);
        }

        // The connection goes back to the pool while the subscriber works: its effect may take a while.
        await subscriber.HandleAsync(Events(batch), cancellationToken).ConfigureAwait(false);
        var to = batch[^1].Position;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await ContactEventStore.TrySavePositionAsync(connection, null, subscriber.Name, shard, from, to, cancellationToken).ConfigureAwait(false))
            {
                return await MovedAsync(shard, subscriber, cancellationToken).ConfigureAwait(false);
            }
        }

        ObserveLag(subscriber, batch);
        return new DeliveryResult(batch.Count, to, batch.Count == limit);
    }

    /// <summary>How far the subscriber's cursor trailed: the age of the batch's oldest event when the batch was done.</summary>
    private void ObserveLag(IContactEventSubscriberBase subscriber, IReadOnlyList<PositionedContactEvent> batch) =>
        metrics.CursorLagObserved(subscriber.Name, time.GetUtcNow() - batch[0].Event.OccurredAt);

    private async Task<DeliveryResult> MovedAsync(int shard, IContactEventSubscriberBase subscriber, CancellationToken cancellationToken)
    {
        var positions = await ReadPositionsAsync(shard, cancellationToken).ConfigureAwait(false);
        return new DeliveryResult(0, positions.GetValueOrDefault(subscriber.Name, ContactEventPosition.Start), BatchWasFull: false, PositionMoved: true);
    }

    private static List<ContactEvent> Events(IReadOnlyList<PositionedContactEvent> batch) => batch.Select(e => e.Event).ToList();
}
