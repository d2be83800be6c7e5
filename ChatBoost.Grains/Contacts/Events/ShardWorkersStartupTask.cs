using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Contacts.Events;

/// <summary>
/// At silo start, activates every shard's dispatcher and sweeper and registers their reminders, so a fresh cluster starts
/// them without waiting for a first event. Every silo does it; the calls are idempotent and each grain still has one
/// activation in the cluster. A failure is logged, not fatal: it is retried a few times, and a grain whose reminder
/// exists comes back by itself. It also resolves the subscriber list, so a bad registration stops the silo at start
/// instead of failing each dispatcher's activation.
/// </summary>
public sealed class ShardWorkersStartupTask(
    IGrainFactory grains, ContactEventSubscribers subscribers, TimeProvider time, ILogger<ShardWorkersStartupTask> logger) : IStartupTask
{
    private const int Attempts = 5;

    public async Task Execute(CancellationToken cancellationToken)
    {
        IEnumerable<IShardWorkerGrain> workers =
        [
            .. ContactEventShards.All.Select(shard => grains.GetGrain<IContactEventDispatcherGrain>(shard)),
            .. ContactEventShards.All.Select(shard => grains.GetGrain<IContactSweeperGrain>(shard)),
        ];
        await Task.WhenAll(workers.Select(worker => StartAsync(worker, cancellationToken)));
        logger.LogInformation(
            "Event outlet: {Shards} dispatchers and sweepers started; subscribers: {Subscribers}",
            ContactEventShards.Count, string.Join(", ", subscribers.All.Select(s => s.Name)));
    }

    private async Task StartAsync(IShardWorkerGrain worker, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await worker.StartAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < Attempts)
            {
                logger.LogWarning(e, "Could not start shard worker {Worker} (attempt {Attempt}); retrying", worker.GetGrainId(), attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not start shard worker {Worker}; it starts with the next silo start or its reminder", worker.GetGrainId());
                return;
            }
        }
    }
}
