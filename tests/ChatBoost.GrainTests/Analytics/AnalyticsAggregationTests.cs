using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Analytics;
using Npgsql;

namespace ChatBoost.GrainTests.Analytics;

/// <summary>
/// The aggregation on real PostgreSQL through the cluster's grains: raw rows in, rollups out, the same rows when it runs
/// again (and nothing written the second time), the overview read from the rollups and its cache emptied by an
/// aggregation that changed the bot's rows; a late status recomputed by the next tick; aggregate-now in chunks.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public sealed class AnalyticsAggregationTests(ChatBoostClusterFixture fixture)
{
    private static long NewBotId() => Random.Shared.NextInt64(1_000_000_000, long.MaxValue / 2);

    [Fact]
    public async Task Aggregating_a_day_twice_gives_the_same_rows_and_the_second_run_changes_nothing()
    {
        var bot = NewBotId();
        var today = AnalyticsOptions.DayStart(fixture.Clock.GetUtcNow());
        var yesterday = today.AddDays(-1);
        await InsertAsync(bot, "4915550001", inbound: true, yesterday.AddHours(9));
        await InsertAsync(bot, "4915550001", inbound: false, yesterday.AddHours(9).AddSeconds(4), "read");
        await InsertAsync(bot, "4915550002", inbound: true, yesterday.AddHours(23).AddMinutes(59).AddSeconds(59).AddMilliseconds(999));
        await InsertAsync(bot, "4915550002", inbound: false, today, "delivered");
        await InsertAsync(bot, "4915550003", inbound: false, yesterday.AddHours(12), "failed");
        var date = DateOnly.FromDateTime(yesterday.UtcDateTime);
        var aggregation = fixture.Grains.GetGrain<IAnalyticsAggregationGrain>(0);

        var first = await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: true));
        var rowsAfterFirst = await RollupRowsAsync(bot);
        var second = await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: true));

        Assert.True(first.IsOk);
        Assert.True(first.Value!.RowsChanged > 0);
        Assert.Equal(0, second.Value!.RowsChanged);
        Assert.Equal(rowsAfterFirst, await RollupRowsAsync(bot));
        var daily = Assert.Single(rowsAfterFirst, r => r.StartsWith("daily|", StringComparison.Ordinal));
        // 4 messages on the day (the one at 00:00 belongs to today), 3 contacts active, 1 response of 4 s, 1 sent and read, 1 failed.
        Assert.Equal($"daily|{date:yyyy-MM-dd}|4|3|2|1|1|1|1|0|1|4000|2", daily);
        var skipped = await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: false));
        Assert.Equal([bot], skipped.Value!.SkippedBots);
    }

    [Fact]
    public async Task The_overview_reads_the_rollups_and_an_aggregation_that_changes_them_empties_the_cache()
    {
        var bot = NewBotId();
        var now = fixture.Clock.GetUtcNow();
        var date = DateOnly.FromDateTime(now.UtcDateTime);
        await InsertAsync(bot, "4915550011", inbound: true, now.AddSeconds(-30));
        await InsertAsync(bot, "4915550011", inbound: false, now.AddSeconds(-28), "sent");
        var aggregation = fixture.Grains.GetGrain<IAnalyticsAggregationGrain>(0);
        var queries = fixture.Grains.GetGrain<IAnalyticsQueryGrain>(0);
        var query = new AnalyticsQuery([], bot, AnalyticsPeriodNames.Today, "UTC");
        await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: false));

        var before = (await queries.OverviewAsync(query)).Value!;
        await InsertAsync(bot, "4915550012", inbound: true, now.AddSeconds(-10));
        var cached = (await queries.OverviewAsync(query)).Value!;
        await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: false));
        var after = (await queries.OverviewAsync(query)).Value!;

        Assert.Equal((2L, 1L, 0.0), (before.TotalMessages, before.ActiveContacts, before.DeliveryRate!.Value));
        Assert.Equal(2, cached.TotalMessages);
        Assert.Equal((3L, 2L), (after.TotalMessages, after.ActiveContacts));
        Assert.Equal(new Dictionary<string, long> { ["text"] = 3 }, after.TopMessageTypes);
        var state = await fixture.Grains.GetGrain<IBotAnalyticsCacheGrain>(bot).GetStateAsync();
        Assert.Equal(2, state.Hits); // the period and the previous one, once each
        Assert.NotNull(state.InvalidatedAt);
    }

    [Fact]
    public async Task A_status_that_changes_a_message_days_old_marks_its_day_and_the_next_tick_recomputes_it()
    {
        var bot = NewBotId();
        var day = AnalyticsOptions.DayStart(fixture.Clock.GetUtcNow()).AddDays(-5);
        var date = DateOnly.FromDateTime(day.UtcDateTime);
        var message = await InsertAsync(bot, "4915550021", inbound: false, day.AddHours(10), "sent");
        var aggregation = fixture.Grains.GetGrain<IAnalyticsAggregationGrain>(0);
        await aggregation.AggregateNowAsync(new AggregateNowCommand(date, [bot], ForceRecalculate: true));
        var before = Assert.Single(await RollupRowsAsync(bot), r => r.StartsWith("daily|", StringComparison.Ordinal));

        await SetStatusAsync(message, "delivered", 2);
        var marked = await DirtyDaysAsync(bot);
        await aggregation.RunNowAsync(AnalyticsRuns.Tick);

        // daily|date|total|active|inbound|sent|delivered|…: delivered went from 0 to 1 without a force_recalculate.
        Assert.Equal($"daily|{date:yyyy-MM-dd}|1|1|0|1|0|0|0|0|0|0|1", before);
        Assert.Equal([date], marked);
        Assert.Equal($"daily|{date:yyyy-MM-dd}|1|1|0|1|1|0|0|0|0|0|1", Assert.Single(await RollupRowsAsync(bot), r => r.StartsWith("daily|", StringComparison.Ordinal)));
        Assert.Empty(await DirtyDaysAsync(bot));
    }

    [Fact]
    public async Task A_status_of_a_message_the_hourly_run_still_covers_marks_no_day()
    {
        var bot = NewBotId();
        var message = await InsertAsync(bot, "4915550031", inbound: false, fixture.Clock.GetUtcNow().AddHours(-2), "sent");

        await SetStatusAsync(message, "read", 3);

        Assert.Empty(await DirtyDaysAsync(bot));
    }

    [Fact]
    public async Task Aggregate_now_over_more_bots_than_a_chunk_runs_one_call_per_chunk_and_aggregates_every_bot()
    {
        var bots = Enumerable.Range(0, 5).Select(_ => NewBotId()).Order().ToList();
        var day = AnalyticsOptions.DayStart(fixture.Clock.GetUtcNow()).AddDays(-1);
        var date = DateOnly.FromDateTime(day.UtcDateTime);
        foreach (var bot in bots)
        {
            await InsertAsync(bot, "4915550041", inbound: true, day.AddHours(9));
        }

        var aggregation = fixture.Grains.GetGrain<IAnalyticsAggregationGrain>(0);
        var result = await AggregateNow.RunChunkedAsync(aggregation, new AggregateNowCommand(date, bots, ForceRecalculate: true), chunkSize: 2);
        var tooMany = Enumerable.Range(0, AggregateNowCommand.MaxBotsPerCall + 1).Select(_ => NewBotId()).ToList();
        var refused = await aggregation.AggregateNowAsync(new AggregateNowCommand(date, tooMany, ForceRecalculate: true));

        Assert.True(result.IsOk);
        Assert.Equal(3, result.Value!.Chunks);
        Assert.Equal(bots, result.Value.AggregatedBots);
        foreach (var bot in bots)
        {
            Assert.Equal($"daily|{date:yyyy-MM-dd}|1|1|1|0|0|0|0|0|0|0|0", Assert.Single(await RollupRowsAsync(bot), r => r.StartsWith("daily|", StringComparison.Ordinal)));
        }

        Assert.Equal((CommandStatus.Invalid, "bot_ids"), (refused.Status, refused.Field));
    }

    private async Task SetStatusAsync(long message, string status, short rank)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE messages SET status = @status, status_rank = @rank WHERE id = @id", connection);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("rank", rank);
        command.Parameters.AddWithValue("id", message);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<List<DateOnly>> DirtyDaysAsync(long bot)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT date FROM analytics_dirty_days WHERE bot_id = @bot ORDER BY date", connection);
        command.Parameters.AddWithValue("bot", bot);
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            days.Add(reader.GetFieldValue<DateOnly>(0));
        }

        return days;
    }

    private async Task<long> InsertAsync(long bot, string contact, bool inbound, DateTimeOffset at, string status = "received")
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, status, status_rank,
                                  created_at, client_message_id, sent_at)
            VALUES (@bot, 1, @contact, @direction, @wamid, 'text', @status, @rank, @at, @client, @sent)
            RETURNING id
            """, connection);
        command.Parameters.AddWithValue("bot", bot);
        command.Parameters.AddWithValue("contact", contact);
        command.Parameters.AddWithValue("direction", inbound ? "inbound" : "outbound");
        command.Parameters.AddWithValue("wamid", "wamid." + Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("rank", (short)(status switch { "sent" => 1, "delivered" => 2, "read" => 3, "failed" => 4, _ => 0 }));
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("client", inbound ? DBNull.Value : Guid.NewGuid());
        command.Parameters.AddWithValue("sent", status is "sent" or "delivered" or "read" ? at : DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every rollup row of the bot as text, without computed_at: hourly, daily and activity rows.</summary>
    private async Task<List<string>> RollupRowsAsync(long bot)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'hourly|' || to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') || '|' || concat_ws('|', total_messages, inbound_messages,
                   active_contacts, sent, delivered, read, failed, in_doubt, responses, response_ms_total, inbound_by_type, outbound_by_type)
            FROM hourly_message_stats WHERE bot_id = @bot
            UNION ALL
            SELECT 'daily|' || date || '|' || concat_ws('|', total_messages, active_contacts, inbound_messages, sent, delivered, read,
                   failed, in_doubt, responses, response_ms_total, outbound_messages)
            FROM daily_message_stats WHERE bot_id = @bot
            UNION ALL
            SELECT 'activity|' || hour || '|' || contact_wa_id FROM contact_activity_hourly WHERE bot_id = @bot
            ORDER BY 1
            """, connection);
        command.Parameters.AddWithValue("bot", bot);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
