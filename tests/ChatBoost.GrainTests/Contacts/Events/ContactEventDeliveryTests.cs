using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Infrastructure;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts.Events;

/// <summary>
/// <see cref="ContactEventDelivery"/> on real PostgreSQL, driven by hand (one delivery at a time) so that each guarantee
/// is checked at the exact point it is about: the xmin rule, the transaction of a transactional subscriber, the
/// compare-and-set of the position. The cluster's own dispatchers run meanwhile; the subscribers here have names of
/// their own, so they have positions of their own.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class ContactEventDeliveryTests(ChatBoostClusterFixture fixture) : IAsyncLifetime
{
    private const string DeliveriesTable = """
        CREATE TABLE IF NOT EXISTS test_event_deliveries (subscriber text NOT NULL, event_id bigint NOT NULL)
        """;

    private Database _database = null!;
    private ContactEventDelivery _delivery = null!;

    public async Task InitializeAsync()
    {
        _database = new Database(NpgsqlDataSource.Create(fixture.Database.ConnectionString));
        _delivery = new ContactEventDelivery(_database, ChatBoost.Testing.TestMetrics.Create(), TimeProvider.System);
        await using var connection = await fixture.OpenAsync();
        await using var create = new NpgsqlCommand(DeliveriesTable, connection);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _database.DataSource.DisposeAsync();

    [Fact]
    public async Task An_event_with_a_lower_id_that_commits_later_is_delivered_not_skipped_and_each_once_in_order()
    {
        var bot = OutletSeed.NewBotId();
        const string wa = "4915112345678";
        await using var setup = await fixture.OpenAsync();
        var shard = await OutletSeed.ShardOfAsync(setup, bot, wa);
        var recorder = new RecordingSubscriber($"test-order-{Guid.NewGuid():N}"[..40]);
        var position = ContactEventPosition.Start;

        // Transaction A writes first (the lower transaction id and the lower event id) and stays open; B writes after
        // it and commits first. A reader taking "everything committed after my last id" would now see B's event, move
        // past A's lower id and never deliver A's.
        await using var a = await fixture.OpenAsync();
        await using var txA = await a.BeginTransactionAsync();
        await OutletSeed.InsertAsync(a, txA, OutletSeed.Event(bot, wa, ContactEventTypes.MessageReceived, """{"message_type":"text"}"""));
        await using (var b = await fixture.OpenAsync())
        {
            await using var txB = await b.BeginTransactionAsync();
            await OutletSeed.InsertAsync(b, txB, OutletSeed.Event(bot, wa, ContactEventTypes.FlowStarted));
            await txB.CommitAsync();
        }

        var whileAOpen = await DeliverAllAsync(recorder, shard, position);
        position = whileAOpen.Position;
        Assert.Empty(recorder.Of(bot));

        await txA.CommitAsync();
        await OutletSeed.EventuallyAsync(
            async () =>
            {
                position = (await DeliverAllAsync(recorder, shard, position)).Position;
                return recorder.Of(bot).Count >= 2;
            },
            "both events delivered once A committed");
        position = (await DeliverAllAsync(recorder, shard, position)).Position;

        var delivered = recorder.Of(bot);
        Assert.Equal([ContactEventTypes.MessageReceived, ContactEventTypes.FlowStarted], delivered.Select(e => e.Type));
        Assert.True(delivered[0].Id < delivered[1].Id);
        Assert.Equal(recorder.All.Count, recorder.All.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_transactional_subscriber_that_fails_after_its_effect_leaves_neither_effect_nor_position_then_gets_the_batch_once()
    {
        var bot = OutletSeed.NewBotId();
        await ReceivedMessagesAsync(bot, shard: 3, count: 5);
        var subscriber = new DeliveriesSubscriber($"test-tx-{Guid.NewGuid():N}"[..40]) { FailAfterEffect = true };

        // The crash point: the effect is written in the dispatcher's transaction, then the subscriber throws before the
        // position is saved and the transaction commits.
        await OutletSeed.EventuallyAsync(
            async () =>
            {
                try
                {
                    await DeliverOneAsync(3, subscriber, ContactEventPosition.Start, 10_000, CancellationToken.None);
                }
                catch (InvalidOperationException)
                {
                    // The crash, as planned.
                }

                return subscriber.SawBot(bot);
            },
            "the failing subscriber was handed the events");
        Assert.Equal(0, await DeliveriesAsync(subscriber.Name, bot));
        Assert.False((await _delivery.ReadPositionsAsync(3, CancellationToken.None)).ContainsKey(subscriber.Name));

        subscriber.FailAfterEffect = false;
        var position = ContactEventPosition.Start;
        position = (await DeliverAllAsync(subscriber, 3, position)).Position;
        Assert.Equal(5, await DeliveriesAsync(subscriber.Name, bot));
        Assert.Equal(position, (await _delivery.ReadPositionsAsync(3, CancellationToken.None))[subscriber.Name]);

        // Delivering again from the stored position adds nothing.
        Assert.Equal(0, (await DeliverOneAsync(3, subscriber, position, 10_000, CancellationToken.None)).Delivered);
        Assert.Equal(5, await DeliveriesAsync(subscriber.Name, bot));
    }

    [Fact]
    public async Task A_second_dispatcher_with_a_stale_position_cannot_commit_the_same_batch_again()
    {
        var bot = OutletSeed.NewBotId();
        await using var connection = await fixture.OpenAsync();
        var wa = await OutletSeed.ContactInShardAsync(connection, bot, shard: 5);
        await OutletSeed.InsertAsync(connection, null, OutletSeed.Event(bot, wa, ContactEventTypes.OptedOut));
        var subscriber = new DeliveriesSubscriber($"test-cas-{Guid.NewGuid():N}"[..40]);
        var position = ContactEventPosition.Start;
        await OutletSeed.EventuallyAsync(
            async () =>
            {
                position = (await DeliverAllAsync(subscriber, 5, position)).Position;
                return await DeliveriesAsync(subscriber.Name, bot) == 1;
            },
            "the first delivery");

        // A second activation of the same shard that still believes the subscriber is at the start.
        var stale = await DeliverOneAsync(5, subscriber, ContactEventPosition.Start, 10_000, CancellationToken.None);

        Assert.True(stale.PositionMoved);
        Assert.Equal(0, stale.Delivered);
        Assert.Equal((await _delivery.ReadPositionsAsync(5, CancellationToken.None))[subscriber.Name], stale.Position);
        Assert.Equal(1, await DeliveriesAsync(subscriber.Name, bot));
    }

    [Fact]
    public async Task A_group_shares_one_delivery_and_the_subscriber_that_fails_in_it_is_rolled_back_alone()
    {
        var bot = OutletSeed.NewBotId();
        await ReceivedMessagesAsync(bot, shard: 6, count: 4);
        var tag = Guid.NewGuid().ToString("N")[..20];
        var first = new DeliveriesSubscriber($"test-group-a-{tag}");
        var failing = new DeliveriesSubscriber($"test-group-b-{tag}") { FailAfterEffect = true };
        var third = new DeliveriesSubscriber($"test-group-c-{tag}");
        var plain = new RecordingSubscriber($"test-group-d-{tag}");

        // The group at one position, as the dispatcher delivers in steady state, until the bot's events have gone through;
        // the failing subscriber writes its effect in the shared transaction and throws every time.
        var position = ContactEventPosition.Start;
        await OutletSeed.EventuallyAsync(
            async () =>
            {
                var outcomes = await _delivery.DeliverGroupAsync(6, [first, failing, third, plain], position, 1_000, CancellationToken.None);
                Assert.IsType<InvalidOperationException>(Assert.Single(outcomes, o => o.Subscriber == failing).Error);
                var moved = outcomes.Where(o => o.Subscriber != failing).Select(o => o.Result!.Position).Distinct();
                position = Assert.Single(moved);
                return await DeliveriesAsync(first.Name, bot) == 4;
            },
            "the group was handed the bot's events");

        var stored = await _delivery.ReadPositionsAsync(6, CancellationToken.None);
        Assert.Equal((4L, 4L, 4), (await DeliveriesAsync(first.Name, bot), await DeliveriesAsync(third.Name, bot), plain.Of(bot).Count));
        Assert.All(new[] { first.Name, third.Name, plain.Name }, name => Assert.Equal(position, stored[name]));
        Assert.Equal(0, await DeliveriesAsync(failing.Name, bot));
        Assert.False(stored.ContainsKey(failing.Name));

        // Recovered, it catches up from its own position, alone: each event once.
        failing.FailAfterEffect = false;
        await DeliverAllAsync(failing, 6, ContactEventPosition.Start);
        Assert.Equal(4, await DeliveriesAsync(failing.Name, bot));
    }

    /// <summary>A delivery to one subscriber (a group of one), as the earlier dispatcher made them; its failure is thrown.</summary>
    private async Task<DeliveryResult> DeliverOneAsync(int shard, IContactEventSubscriberBase subscriber, ContactEventPosition from, int limit, CancellationToken cancellationToken)
    {
        var outcome = Assert.Single(await _delivery.DeliverGroupAsync(shard, [subscriber], from, limit, cancellationToken));
        if (outcome.Error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(outcome.Error);
        }

        return outcome.Result!;
    }

    /// <summary><paramref name="count"/> message_received events of one contact of the bot in the shard.</summary>
    private async Task ReceivedMessagesAsync(long bot, int shard, int count)
    {
        await using var connection = await fixture.OpenAsync();
        var wa = await OutletSeed.ContactInShardAsync(connection, bot, shard);
        await OutletSeed.InsertAsync(
            connection, null,
            [.. Enumerable.Range(0, count).Select(_ => OutletSeed.Event(bot, wa, ContactEventTypes.MessageReceived, """{"message_type":"text"}"""))]);
    }

    /// <summary>Delivers until a batch comes back empty; returns the last result.</summary>
    private async Task<DeliveryResult> DeliverAllAsync(IContactEventSubscriberBase subscriber, int shard, ContactEventPosition from)
    {
        while (true)
        {
            var result = await DeliverOneAsync(shard, subscriber, from, 1_000, CancellationToken.None);
            if (result.Delivered == 0)
            {
                return result;
            }

            from = result.Position;
        }
    }

    private async Task<long> DeliveriesAsync(string subscriber, long bot)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM test_event_deliveries d JOIN contact_events e ON e.id = d.event_id
            WHERE d.subscriber = @subscriber AND e.bot_id = @bot
            """,
            connection);
        command.Parameters.AddWithValue("subscriber", subscriber);
        command.Parameters.AddWithValue("bot", bot);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>An at-least-once subscriber that remembers what it was given.</summary>
    private sealed class RecordingSubscriber(string name) : IContactEventSubscriber
    {
        private readonly List<ContactEvent> _events = [];

        public string Name { get; } = name;

        public IReadOnlyList<ContactEvent> All
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public List<ContactEvent> Of(long bot) => All.Where(e => e.BotId == bot).ToList();

        public Task HandleAsync(IReadOnlyList<ContactEvent> batch, CancellationToken cancellationToken)
        {
            lock (_events)
            {
                _events.AddRange(batch);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>A transactional subscriber whose effect is one row per event it was given (duplicates would show).</summary>
    private sealed class DeliveriesSubscriber(string name) : ITransactionalContactEventSubscriber
    {
        private readonly HashSet<long> _bots = [];

        public string Name { get; } = name;

        public bool FailAfterEffect { get; set; }

        public bool SawBot(long bot)
        {
            lock (_bots)
            {
                return _bots.Contains(bot);
            }
        }

        public async Task HandleAsync(int shard, IReadOnlyList<ContactEvent> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO test_event_deliveries (subscriber, event_id) SELECT @subscriber, unnest(@ids)", connection, transaction);
            command.Parameters.AddWithValue("subscriber", Name);
            command.Parameters.AddWithValue("ids", batch.Select(e => e.Id).ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken);
            lock (_bots)
            {
                _bots.UnionWith(batch.Select(e => e.BotId));
            }

            if (FailAfterEffect)
            {
                throw new InvalidOperationException("crash after the effect, before the commit");
            }
        }
    }
}
