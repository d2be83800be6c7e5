using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Grains.WhatsApp.Outbound;

namespace ChatBoost.GrainTests.WhatsApp;

[Collection(MessageStoreCollection.Name)]
public sealed class MessageStatusWriterTests(MessageStoreFixture fixture)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private MessageStatusWriter Writer => new(fixture.Database, fixture.StatementWriter);

    private OutboxStore Outbox => new(fixture.Database, fixture.StatementWriter);

    [Fact]
    public async Task Out_of_order_and_repeated_statuses_end_at_read()
    {
        var (bot, wamid) = await SentMessageAsync();

        var outcomes = new List<StatusApplyOutcome>();
        foreach (var (status, at) in new[]
        {
            (MessageDeliveryStatus.Read, 30), (MessageDeliveryStatus.Sent, 10), (MessageDeliveryStatus.Delivered, 20),
            (MessageDeliveryStatus.Failed, 40), (MessageDeliveryStatus.Read, 50),
        })
        {
            outcomes.Add(await Writer.ApplyStatusAsync(bot, Status(wamid, status, at, status == MessageDeliveryStatus.Failed ? 131026 : null)));
        }

        Assert.Equal(
            [StatusApplyOutcome.Applied, StatusApplyOutcome.NotApplied, StatusApplyOutcome.NotApplied, StatusApplyOutcome.NotApplied, StatusApplyOutcome.NotApplied],
            outcomes);
        // read keeps its first time; the late delivered fills its own time; failed after read leaves no trace.
        Assert.Equal("read|3|30|20|||", await RowAsync(bot, wamid));
    }

    [Fact]
    public async Task Failed_after_sent_is_final_and_keeps_its_error()
    {
        var (bot, wamid) = await SentMessageAsync();

        // Already sent (the send's answer): Meta's own sent report repeats it.
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Sent, 10)));
        Assert.Equal(StatusApplyOutcome.Applied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Failed, 20, 131047)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered, 30)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Read, 40)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Failed, 50, 1)));

        Assert.Equal("failed|4|||20|131047|Re-engagement message", await RowAsync(bot, wamid));
        Assert.Equal("More than 24 hours have passed (Message failed to send)", await fixture.ScalarAsync<string>(
            "SELECT error_message FROM messages WHERE bot_id = @b AND wa_message_id = @w", ("b", bot), ("w", wamid)));
    }

    [Fact]
    public async Task Delivered_then_read_then_duplicates_move_forward_only()
    {
        var (bot, wamid) = await SentMessageAsync();

        Assert.Equal(StatusApplyOutcome.Applied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered, 20)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered, 25)));
        Assert.Equal(StatusApplyOutcome.Applied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Read, 30)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered, 35)));

        Assert.Equal("read|3|30|20|||", await RowAsync(bot, wamid));
    }

    [Fact]
    public async Task Concurrent_statuses_for_one_message_never_regress_it()
    {
        for (var round = 0; round < 5; round++)
        {
            var (bot, wamid) = await SentMessageAsync();
            var statuses = new[] { MessageDeliveryStatus.Delivered, MessageDeliveryStatus.Read, MessageDeliveryStatus.Sent, MessageDeliveryStatus.Delivered };
            await Task.WhenAll(statuses.Select(s => Task.Run(() => Writer.ApplyStatusAsync(bot, Status(wamid, s, 10 * (int)s)))));
            Assert.StartsWith("read|3|30|", await RowAsync(bot, wamid), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_sql_rule_is_DeliveryStatus_ShouldApply()
    {
        // queued, sending and in_doubt share rank 0 ("nothing reported yet"): the rule treats them all as null.
        (MessageDeliveryStatus? Current, string? RankZeroName)[] currents =
        [
            (null, "queued"), (null, "sending"), (null, "in_doubt"), (MessageDeliveryStatus.Sent, null), (MessageDeliveryStatus.Delivered, null),
            (MessageDeliveryStatus.Read, null), (MessageDeliveryStatus.Failed, null),
        ];
        MessageDeliveryStatus[] incomings = [MessageDeliveryStatus.Sent, MessageDeliveryStatus.Delivered, MessageDeliveryStatus.Read, MessageDeliveryStatus.Failed];
        foreach (var (current, rankZeroName) in currents)
        {
            foreach (var incoming in incomings)
            {
                var bot = MessageStoreFixture.NewBotId();
                var id = Guid.NewGuid();
                var wamid = "wamid." + id.ToString("N");
                await Outbox.RecordQueuedAsync(Outbound(bot, id));
                var (name, rank) = current is null ? (rankZeroName!, 0) : (MessageStatusWriter.StatusName(current.Value), (int)current.Value);
                await fixture.ExecuteAsync(
                    "UPDATE messages SET wa_message_id = @w, status = @s, status_rank = @r WHERE client_message_id = @id",
                    ("w", wamid), ("s", name), ("r", (short)rank), ("id", id));

                var outcome = await Writer.ApplyStatusAsync(bot, Status(wamid, incoming, 10));

                var expected = DeliveryStatus.ShouldApply(current, incoming);
                Assert.True(expected == (outcome == StatusApplyOutcome.Applied), $"{current?.ToString() ?? rankZeroName} + {incoming}: {outcome}");
                var final = await fixture.ScalarAsync<string>("SELECT status FROM messages WHERE client_message_id = @id", ("id", id));
                Assert.Equal(expected ? MessageStatusWriter.StatusName(incoming) : name, final);
            }
        }
    }

    [Fact]
    public async Task A_status_for_an_unknown_message_or_another_bots_message_changes_nothing()
    {
        var (bot, wamid) = await SentMessageAsync();

        Assert.Equal(StatusApplyOutcome.UnknownMessage, await Writer.ApplyStatusAsync(bot, Status("wamid.nobody", MessageDeliveryStatus.Read, 10)));
        Assert.Equal(StatusApplyOutcome.UnknownMessage, await Writer.ApplyStatusAsync(bot + 1, Status(wamid, MessageDeliveryStatus.Read, 10)));
        Assert.Equal(StatusApplyOutcome.NotApplied, await Writer.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Unknown, 10)));
        Assert.Equal("sent|1|||||", await RowAsync(bot, wamid));
    }

    internal static OutboundRecord Outbound(long bot, Guid id, long? executionId = null) =>
        new(id, bot, 7, "15550002222", "text", "hello", """{"type":"text","text":{"body":"hello"}}""", executionId);

    private async Task<(long Bot, string WaMessageId)> SentMessageAsync()
    {
        var bot = MessageStoreFixture.NewBotId();
        var id = Guid.NewGuid();
        var wamid = "wamid." + id.ToString("N");
        Assert.True(await Outbox.RecordQueuedAsync(Outbound(bot, id)));
        Assert.True(await Outbox.MarkSendingAsync(id, bot));
        Assert.True(await Outbox.MarkSentAsync(id, bot, wamid));
        // Forget the send time so the tests can see which report set which timestamp.
        await fixture.ExecuteAsync("UPDATE messages SET sent_at = NULL WHERE client_message_id = @id", ("id", id));
        return (bot, wamid);
    }

    private static StatusUpdate Status(string wamid, MessageDeliveryStatus status, int secondsAfterT0, int? errorCode = null) =>
        new(
            wamid,
            status,
            status.ToString().ToLowerInvariant(),
            T0.AddSeconds(secondsAfterT0),
            "15550002222",
            null,
            null,
            errorCode is null
                ? []
                : [new StatusError(errorCode, "Re-engagement message", "More than 24 hours have passed", "Message failed to send")]);

    /// <summary>status|rank|read s|delivered s|failed s|error code|error title, times in seconds after T0.</summary>
    private Task<string> RowAsync(long bot, string wamid) => fixture.ScalarAsync<string>("""
        SELECT concat_ws('|', status, status_rank,
                         coalesce((extract(epoch FROM read_at)::bigint - 1700000000)::text, ''),
                         coalesce((extract(epoch FROM delivered_at)::bigint - 1700000000)::text, ''),
                         coalesce((extract(epoch FROM failed_at)::bigint - 1700000000)::text, ''),
                         coalesce(error_code::text, ''), coalesce(error_title, ''))
        FROM messages WHERE bot_id = @b AND wa_message_id = @w
        """, ("b", bot), ("w", wamid));

    private Task<string> StatusOfAsync(Guid id) =>
        fixture.ScalarAsync<string>("SELECT status FROM messages WHERE client_message_id = @id", ("id", id));
}
