using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts.Events;

/// <summary>
/// The cluster's own dispatcher grains delivering to the live-counters subscriber, read back through
/// <see cref="IBotStatisticsGrain"/>: exact counts while the dispatchers are deactivated and re-activated between waves of
/// events, with the writers' transactions committing out of id order.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class LiveCountersDispatchTests(ChatBoostClusterFixture fixture)
{
    [Fact]
    public async Task Counters_are_exact_across_deactivations_of_the_dispatchers()
    {
        var bot = OutletSeed.NewBotId();
        var hour = LiveCounterFold.HourOf(DateTimeOffset.UtcNow);
        const int Waves = 4;
        const int ContactsPerWave = 40;
        for (var wave = 0; wave < Waves; wave++)
        {
            // Each wave: two writers' transactions interleaved, the one that wrote first committing last.
            await using var first = await fixture.OpenAsync();
            await using var second = await fixture.OpenAsync();
            await using var firstTx = await first.BeginTransactionAsync();
            await using var secondTx = await second.BeginTransactionAsync();
            for (var i = 0; i < ContactsPerWave; i++)
            {
                var wa = $"49160{wave:D2}{i:D6}";
                await OutletSeed.InsertAsync(
                    i % 2 == 0 ? first : second, i % 2 == 0 ? firstTx : secondTx,
                    OutletSeed.Event(bot, wa, ContactEventTypes.MessageReceived, """{"message_type":"text"}""", hour.AddMinutes(10)),
                    OutletSeed.Event(bot, wa, ContactEventTypes.FlowStarted, """{"trigger":"inbound"}""", hour.AddMinutes(10)),
                    OutletSeed.Event(bot, wa, ContactEventTypes.MessageSent, """{"message_type":"interactive","client_message_id":"c"}""", hour.AddMinutes(11)),
                    OutletSeed.Event(bot, wa, ContactEventTypes.MessageStatus, """{"status":"delivered"}""", hour.AddMinutes(12)));
            }

            await secondTx.CommitAsync();
            await firstTx.CommitAsync();

            // Mid-way: drop every dispatcher activation, then start them again as the start-up task would.
            foreach (var shard in ContactEventShards.All)
            {
                await fixture.DeactivateAsync(fixture.Grains.GetGrain<IContactEventDispatcherGrain>(shard));
            }

            await Task.WhenAll(ContactEventShards.All.Select(shard => fixture.Grains.GetGrain<IContactEventDispatcherGrain>(shard).StartAsync()));
        }

        await OutletSeed.EventuallyAsync(() => AllDeliveredAsync(bot), "every event of the bot is behind the live counters' positions", 60);

        var counters = await fixture.Grains.GetGrain<IBotStatisticsGrain>(bot).GetLiveCountersAsync(hour, hour.AddHours(1));
        const long Contacts = Waves * ContactsPerWave;
        Assert.Equal(
            (Contacts, Contacts, Contacts, Contacts, 0L, 0L),
            (counters.Totals.MessagesReceived, counters.Totals.ExecutionsStarted, counters.Totals.MessagesSent, counters.Totals.StatusesDelivered,
                counters.Totals.StatusesRead, counters.Totals.ExecutionsFailed));
        Assert.Equal(new Dictionary<string, long> { ["text"] = Contacts }, counters.Totals.MessagesReceivedByType);
        Assert.Equal(new Dictionary<string, long> { ["interactive"] = Contacts }, counters.Totals.MessagesSentByType);
        Assert.Equal([hour], counters.Hours.Select(h => h.Hour));
        Assert.Equal(counters.Totals, counters.Hours[0].Values with { MessagesReceivedByType = counters.Totals.MessagesReceivedByType, MessagesSentByType = counters.Totals.MessagesSentByType });

        var empty = await fixture.Grains.GetGrain<IBotStatisticsGrain>(bot).GetLiveCountersAsync(hour.AddHours(1), hour.AddHours(2));
        Assert.Equal((0L, 0), (empty.Totals.MessagesReceived, empty.Hours.Count));
    }

    [Fact]
    public async Task A_fresh_cluster_starts_a_dispatcher_for_every_shard_with_its_reminder()
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(DISTINCT grainid) FROM orleansreminderstable WHERE remindername = 'contact-event-dispatch'", connection);
        await OutletSeed.EventuallyAsync(async () => (long)(await command.ExecuteScalarAsync())! == ContactEventShards.Count, "16 dispatcher reminders");
        command.CommandText = "SELECT count(DISTINCT grainid) FROM orleansreminderstable WHERE remindername = 'contact-sweep'";
        await OutletSeed.EventuallyAsync(async () => (long)(await command.ExecuteScalarAsync())! == ContactEventShards.Count, "16 sweeper reminders");
    }

    private async Task<bool> AllDeliveredAsync(long bot)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM contact_events e
            WHERE e.bot_id = @bot AND NOT EXISTS (
                SELECT 1 FROM contact_event_positions p
                WHERE p.subscriber = @subscriber AND p.shard = e.shard AND (p.last_tx, p.last_id) >= (e.tx, e.id))
            """,
            connection);
        command.Parameters.AddWithValue("bot", bot);
        command.Parameters.AddWithValue("subscriber", LiveCountersSubscriber.SubscriberName);
        return (long)(await command.ExecuteScalarAsync())! == 0;
    }
}
