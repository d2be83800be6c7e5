using ChatBoost.Grains.Contacts.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBoost.UnitTests.Contacts.Events;

public class ShardDispatchLoopTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Subscriber(string name) : IContactEventSubscriber
    {
        public string Name => name;

        public Task HandleAsync(IReadOnlyList<ContactEvent> batch, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class TransactionalSubscriber(string name) : ITransactionalContactEventSubscriber
    {
        public string Name => name;

        public Task HandleAsync(int shard, IReadOnlyList<ContactEvent> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }

    private static readonly ContactEventOptions Options = new();

    [Fact]
    public async Task A_failing_subscriber_backs_off_alone_while_the_others_advance()
    {
        var clock = new Clock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var broken = true;
        var calls = new List<string>();
        var loop = new ShardDispatchLoop(
            3,
            [new Subscriber("failing"), new TransactionalSubscriber("healthy")],
            new Dictionary<string, ContactEventPosition> { ["healthy"] = new(5, 50), ["failing"] = new(4, 40) },
            PerSubscriber((subscriber, from) =>
            {
                calls.Add(subscriber.Name);
                return subscriber.Name == "failing" && broken
                    ? throw new InvalidOperationException("down")
                    : new DeliveryResult(2, new ContactEventPosition(from.Tx + 1, from.Id + 2), BatchWasFull: false);
            }),
            Options,
            clock,
            NullLogger.Instance);

        // The failure waits its back-off (1 s) while the healthy subscriber goes on at the busy pace.
        Assert.Equal(Options.BusyPollInterval, await loop.PollAsync(CancellationToken.None));
        Assert.Equal(new ContactEventPosition(6, 52), loop.ProgressOf("healthy").Position);
        Assert.Equal((new ContactEventPosition(4, 40), 1), (loop.ProgressOf("failing").Position, loop.ProgressOf("failing").ConsecutiveFailures));

        clock.Now += TimeSpan.FromMilliseconds(500);
        await loop.PollAsync(CancellationToken.None);
        Assert.Equal(["failing", "healthy", "healthy"], calls);

        // Due again: fails a second time and waits twice as long; then it recovers from where it stopped.
        clock.Now += TimeSpan.FromMilliseconds(600);
        await loop.PollAsync(CancellationToken.None);
        Assert.Equal(2, loop.ProgressOf("failing").ConsecutiveFailures);
        Assert.Equal(clock.Now + TimeSpan.FromSeconds(2), loop.ProgressOf("failing").RetryAt);

        broken = false;
        clock.Now += TimeSpan.FromSeconds(2);
        await loop.PollAsync(CancellationToken.None);
        Assert.Equal((new ContactEventPosition(5, 42), 0), (loop.ProgressOf("failing").Position, loop.ProgressOf("failing").ConsecutiveFailures));
        Assert.Equal(new ContactEventPosition(9, 58), loop.ProgressOf("healthy").Position);
    }

    [Fact]
    public async Task An_idle_shard_polls_slowly_and_a_full_batch_polls_again_at_once()
    {
        var clock = new Clock(DateTimeOffset.UnixEpoch);
        var full = false;
        var loop = new ShardDispatchLoop(
            0, [new Subscriber("s")], new Dictionary<string, ContactEventPosition>(),
            PerSubscriber((_, from) => full ? new DeliveryResult(Options.BatchSize, new ContactEventPosition(from.Tx + 1, 1), true) : new DeliveryResult(0, from, false)),
            Options, clock, NullLogger.Instance);

        Assert.Equal(Options.IdlePollInterval, await loop.PollAsync(CancellationToken.None));
        Assert.Equal(ContactEventPosition.Start, loop.ProgressOf("s").Position);
        full = true;
        Assert.Equal(TimeSpan.Zero, await loop.PollAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Subscribers_at_one_position_share_a_delivery_and_one_that_failed_is_retried_in_a_group_of_its_own()
    {
        var clock = new Clock(DateTimeOffset.UnixEpoch);
        var broken = true;
        var groups = new List<string>();
        var loop = new ShardDispatchLoop(
            1,
            [new TransactionalSubscriber("counters"), new Subscriber("notifications"), new TransactionalSubscriber("triggers")],
            new Dictionary<string, ContactEventPosition>(),
            (group, from, _) =>
            {
                groups.Add(string.Join("+", group.Select(s => s.Name)) + "@" + from.Id);
                IReadOnlyList<SubscriberDelivery> outcomes = [.. group.Select(s => s.Name == "triggers" && broken
                    ? SubscriberDelivery.Failure(s, new InvalidOperationException("down"))
                    : new SubscriberDelivery(s, new DeliveryResult(3, new ContactEventPosition(from.Tx + 1, from.Id + 3), BatchWasFull: false), null))];
                return Task.FromResult(outcomes);
            },
            Options,
            clock,
            NullLogger.Instance);

        await loop.PollAsync(CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(1);
        broken = false;
        await loop.PollAsync(CancellationToken.None);
        await loop.PollAsync(CancellationToken.None);

        // One delivery for the three; after its failure, the one that failed is delivered from its own position, alone.
        Assert.Equal(["counters+notifications+triggers@0", "counters+notifications@3", "triggers@0", "counters+notifications@6", "triggers@3"], groups);
        Assert.Equal(new ContactEventPosition(2, 6), loop.ProgressOf("triggers").Position);
    }

    [Fact]
    public async Task A_group_whose_delivery_throws_fails_every_subscriber_in_it()
    {
        var clock = new Clock(DateTimeOffset.UnixEpoch);
        var loop = new ShardDispatchLoop(
            2, [new Subscriber("a"), new TransactionalSubscriber("b")], new Dictionary<string, ContactEventPosition>(),
            (_, _, _) => throw new NpgsqlException("the read failed"), Options, clock, NullLogger.Instance);

        Assert.Equal(Options.FirstRetryDelay, await loop.PollAsync(CancellationToken.None));
        Assert.Equal((1, 1), (loop.ProgressOf("a").ConsecutiveFailures, loop.ProgressOf("b").ConsecutiveFailures));
    }

    /// <summary>A group delivery that delivers to each subscriber on its own (a throw is that subscriber's failure).</summary>
    private static DeliverBatch PerSubscriber(Func<IContactEventSubscriberBase, ContactEventPosition, DeliveryResult> deliver) =>
        (group, from, _) =>
        {
            IReadOnlyList<SubscriberDelivery> outcomes = [.. group.Select(s =>
            {
                try
                {
                    return new SubscriberDelivery(s, deliver(s, from), null);
                }
                catch (InvalidOperationException e)
                {
                    return SubscriberDelivery.Failure(s, e);
                }
            })];
            return Task.FromResult(outcomes);
        };
}
