using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Testing;
using ChatBoost.Silo.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBoost.GrainTests.WhatsApp;

[Collection(MessageStoreCollection.Name)]
public sealed class BatchingMessageWriterTests(MessageStoreFixture fixture)
{
    [Fact]
    public async Task Ten_concurrent_records_of_one_wamid_give_one_insert_and_one_row()
    {
        var writer = await fixture.StartWriterAsync();
        var bot = MessageStoreFixture.NewBotId();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Task.Run(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.same")))));
        var again = await writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.same"));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(1, outcomes.Count(o => o == RecordOutcome.Inserted));
        Assert.Equal(9, outcomes.Count(o => o == RecordOutcome.Duplicate));
        Assert.Equal(RecordOutcome.Duplicate, again);
        Assert.Equal(1L, await fixture.ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b", ("b", bot)));
    }

    [Fact]
    public async Task Concurrent_writers_on_two_silos_store_one_row_per_wamid()
    {
        var silo1 = await fixture.StartWriterAsync();
        var silo2 = await fixture.StartWriterAsync();
        var bot = MessageStoreFixture.NewBotId();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? silo1 : silo2).RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i % 10}"))));
        await silo1.StopAsync(CancellationToken.None);
        await silo2.StopAsync(CancellationToken.None);

        Assert.Equal(10, outcomes.Count(o => o == RecordOutcome.Inserted));
        Assert.Equal(10L, await fixture.ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b", ("b", bot)));
    }

    [Fact]
    public async Task A_thousand_distinct_concurrent_records_are_all_stored_in_fewer_round_trips()
    {
        var writer = await fixture.StartWriterAsync();
        var bot = MessageStoreFixture.NewBotId();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(i => Task.Run(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}", contact: $"1555{i % 37}")))));
        await writer.StopAsync(CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(RecordOutcome.Inserted, o));
        Assert.Equal(1000L, await fixture.ScalarAsync<long>(
            "SELECT count(DISTINCT wa_message_id) FROM messages WHERE bot_id = @b AND direction = 'inbound' AND status = 'received'", ("b", bot)));
        Assert.Equal(1000L, writer.RecordsCommitted);
        Assert.InRange(writer.BatchesCommitted, 1L, 999L);
    }

    [Fact]
    public async Task The_row_keeps_what_was_recorded()
    {
        var writer = await fixture.StartWriterAsync();
        var bot = MessageStoreFixture.NewBotId();
        var record = new InboundRecord(bot, 42, "15551234567", "wamid.keep", "interactive", "Yes", """{"id":"wamid.keep","type":"interactive"}""",
            DateTimeOffset.FromUnixTimeSeconds(1_700_000_123));

        Assert.Equal(RecordOutcome.Inserted, await writer.RecordInboundAsync(record));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal("42|15551234567|inbound|interactive|Yes|interactive|received|0|1700000123", await fixture.ScalarAsync<string>("""
            SELECT concat_ws('|', organization_id, contact_wa_id, direction, message_type, text, payload ->> 'type', status,
                             status_rank, extract(epoch FROM wa_timestamp)::bigint)
            FROM messages WHERE bot_id = @b AND wa_message_id = 'wamid.keep'
            """, ("b", bot)));
    }

    [Fact]
    public async Task A_failed_batch_fails_every_caller_and_the_writer_keeps_working()
    {
        // Own database: this test takes the table away.
        await using var database = await TestDatabase.CreateAsync("messagestore_fail");
        await MigrationRunner.ApplyAsync(database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var writer = await fixture.StartWriterAsync(o => o.Linger = TimeSpan.FromMilliseconds(20), new Database(dataSource));
        const long bot = 1;

        await Execute(dataSource, "ALTER TABLE messages RENAME TO messages_away");
        var calls = Enumerable.Range(0, 50).Select(i => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}"))).ToList();
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => call);
            Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        }

        Assert.True(writer.BatchesFailed >= 1);
        await Execute(dataSource, "ALTER TABLE messages_away RENAME TO messages");

        // Nothing was recorded, so the retries Meta would make are inserts.
        var retries = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}"))));
        await writer.StopAsync(CancellationToken.None);
        Assert.All(retries, o => Assert.Equal(RecordOutcome.Inserted, o));
    }

    [Fact]
    public async Task A_record_the_database_refuses_fails_only_its_own_caller()
    {
        var writer = await fixture.StartWriterAsync(o => o.Linger = TimeSpan.FromMilliseconds(50));
        var bot = MessageStoreFixture.NewBotId();

        // jsonb cannot hold \u0000: PostgreSQL refuses the row (SQLSTATE 22P05) and with it the whole statement.
        var good = Enumerable.Range(0, 20).Select(i => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.good{i}"))).ToList();
        var bad = writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.bad", payload: """{"text":"a\u0000b"}"""));
        var repeatOfGood = writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.good0"));

        var error = await Assert.ThrowsAsync<PostgresException>(() => bad);
        Assert.StartsWith("22", error.SqlState, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(good), o => Assert.Equal(RecordOutcome.Inserted, o));
        Assert.Equal(RecordOutcome.Duplicate, await repeatOfGood);
        Assert.Equal(RecordOutcome.Inserted, await writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.after")));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(21L, await fixture.ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b", ("b", bot)));
    }

    [Fact]
    public async Task A_record_that_breaks_the_constraints_is_refused_before_it_joins_a_batch()
    {
        var writer = await fixture.StartWriterAsync();
        var bot = MessageStoreFixture.NewBotId();

        await Assert.ThrowsAsync<ArgumentException>(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "")));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, new string('w', 257))));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.x", text: "a\0b")));
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(0L, writer.BatchesCommitted + writer.BatchesFailed);
    }

    [Fact]
    public async Task Stopping_commits_what_is_queued_then_refuses_new_records()
    {
        var writer = await fixture.StartWriterAsync(o => o.Linger = TimeSpan.FromMilliseconds(300));
        var bot = MessageStoreFixture.NewBotId();

        var queued = Enumerable.Range(0, 5).Select(i => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}"))).ToList();
        await writer.StopAsync(CancellationToken.None);

        Assert.All(await Task.WhenAll(queued), o => Assert.Equal(RecordOutcome.Inserted, o));
        Assert.Equal(5L, await fixture.ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b", ("b", bot)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.late")));
    }

    [Fact]
    public async Task A_full_queue_makes_callers_wait_then_fail_rather_than_grow()
    {
        var writer = await fixture.StartWriterAsync(o =>
        {
            o.MaxBatch = 1;
            o.Capacity = 4;
            o.Linger = TimeSpan.Zero;
            o.EnqueueTimeout = TimeSpan.FromMilliseconds(300);
        });
        var bot = MessageStoreFixture.NewBotId();

        // Hold the table so the first batch blocks in the database.
        await using var blocker = await fixture.Database.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var first = writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.0"));
        await Task.Delay(300); // the loop has taken it and waits for the lock
        var queued = Enumerable.Range(1, 4).Select(i => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}"))).ToList();
        await Assert.ThrowsAsync<MessageStoreOverloadedException>(() => writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, "wamid.5")));

        await transaction.RollbackAsync();
        Assert.Equal(RecordOutcome.Inserted, await first);
        Assert.All(await Task.WhenAll(queued), o => Assert.Equal(RecordOutcome.Inserted, o));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_writer_that_was_not_started_says_so()
    {
        var writer = new BatchingMessageWriter(
            fixture.Database,
            Microsoft.Extensions.Options.Options.Create(new BatchingMessageWriterOptions()),
            NullLogger<BatchingMessageWriter>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            writer.RecordInboundAsync(MessageStoreFixture.Inbound(MessageStoreFixture.NewBotId(), "wamid.1")));
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
