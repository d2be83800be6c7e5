using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Grains.WhatsApp.Outbound;
using Microsoft.Extensions.Options;

namespace ChatBoost.GrainTests.WhatsApp;

/// <summary>
/// The outbox SQL on real PostgreSQL: the transitions of <see cref="OutboxStateMachine"/> and nothing else, the events
/// written with them, early statuses applied when the wamid lands, in-doubt sends resolved by their callback data, and
/// the reconciler's moves.
/// </summary>
[Collection(MessageStoreCollection.Name)]
public sealed class OutboxStoreTests(MessageStoreFixture fixture)
{
    private OutboxStore Outbox => new(fixture.Database, fixture.StatementWriter);

    private MessageStatusWriter Statuses => new(fixture.Database, fixture.StatementWriter);

    [Fact]
    public async Task Every_transition_the_state_machine_forbids_is_refused_by_the_sql()
    {
        OutboxState[] stored = [OutboxState.Queued, OutboxState.Sending, OutboxState.Sent, OutboxState.Failed, OutboxState.InDoubt];
        foreach (var from in stored)
        {
            foreach (var to in new[] { OutboxState.Sending, OutboxState.Sent, OutboxState.Failed, OutboxState.InDoubt })
            {
                var (bot, id) = await RowInAsync(from);
                var moved = to switch
                {
                    OutboxState.Sending => await Outbox.MarkSendingAsync(id, bot),
                    OutboxState.Sent => await Outbox.MarkSentAsync(id, bot, "wamid." + Guid.NewGuid().ToString("N")),
                    OutboxState.Failed => await Outbox.MarkFailedAsync(id, bot, 1, "Unknown", "x"),
                    _ => await Outbox.MarkInDoubtAsync(id, bot, "timeout"),
                };

                Assert.True(OutboxStateMachine.CanMove(from, to) == moved, $"{from} → {to}: moved {moved}");
                Assert.Equal(OutboxStateMachine.Name(moved ? to : from), await StatusOfAsync(id));
            }
        }
    }

    [Fact]
    public async Task Marking_sent_writes_one_message_sent_event_and_is_idempotent()
    {
        var bot = MessageStoreFixture.NewBotId();
        var id = Guid.NewGuid();
        Assert.True(await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, id, executionId: 42)));
        Assert.False(await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, id, executionId: 42)));
        Assert.True(await Outbox.MarkSendingAsync(id, bot));
        Assert.True(await Outbox.MarkSentAsync(id, bot, "wamid.sent-" + id.ToString("N")));
        Assert.False(await Outbox.MarkSentAsync(id, bot, "wamid.sent-" + id.ToString("N")));
        // Another bot can never move it, even knowing the id.
        Assert.False(await Outbox.MarkFailedAsync(id, bot + 1, 1, "x", "x"));

        Assert.Equal($"message_sent|42|text|{id}", await fixture.ScalarAsync<string>("""
            SELECT string_agg(concat_ws('|', type, execution_id, data->>'message_type', data->>'client_message_id'), ',')
            FROM contact_events WHERE bot_id = @b
            """, ("b", bot)));
        Assert.Null(await Outbox.ReadAsync(id, bot + 1));
        Assert.Equal(OutboxState.Sent, (await Outbox.ReadAsync(id, bot))!.State);
    }

    [Fact]
    public async Task A_status_that_arrives_before_its_wamid_is_applied_when_the_wamid_lands()
    {
        var bot = MessageStoreFixture.NewBotId();
        var id = Guid.NewGuid();
        var wamid = "wamid.early-" + id.ToString("N");
        await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, id));
        await Outbox.MarkSendingAsync(id, bot);

        // Meta's delivered and read beat the send's answer.
        Assert.Equal(StatusApplyOutcome.UnknownMessage, await Statuses.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Read)));
        Assert.Equal(StatusApplyOutcome.UnknownMessage, await Statuses.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered)));
        Assert.Equal(2L, await EarlyCountAsync(bot));
        Assert.Equal("sending", await StatusOfAsync(id));

        Assert.True(await Outbox.MarkSentAsync(id, bot, wamid));

        Assert.Equal("read", await StatusOfAsync(id));
        Assert.Equal(0L, await EarlyCountAsync(bot));
        Assert.Equal("message_sent,message_status:delivered,message_status:read", await EventsAsync(bot));
    }

    [Fact]
    public async Task An_in_doubt_send_is_resolved_by_the_callback_data_of_its_status_and_only_for_its_bot()
    {
        var bot = MessageStoreFixture.NewBotId();
        var id = Guid.NewGuid();
        var wamid = "wamid.doubt-" + id.ToString("N");
        await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, id));
        await Outbox.MarkSendingAsync(id, bot);
        await Outbox.MarkInDoubtAsync(id, bot, "timeout");

        // A forged status: another bot's webhook naming our client id attaches nothing.
        Assert.Equal(StatusApplyOutcome.UnknownMessage,
            await Statuses.ApplyStatusAsync(bot + 1, Status(wamid, MessageDeliveryStatus.Delivered) with { CallbackData = id.ToString("D") }));
        Assert.Equal("in_doubt", await StatusOfAsync(id));

        Assert.Equal(StatusApplyOutcome.Applied,
            await Statuses.ApplyStatusAsync(bot, Status(wamid, MessageDeliveryStatus.Delivered) with { CallbackData = id.ToString("D") }));

        Assert.Equal($"delivered|{wamid}||", await fixture.ScalarAsync<string>(
            "SELECT concat_ws('|', status, wa_message_id, coalesce(error_title, ''), coalesce(error_message, '')) FROM messages WHERE client_message_id = @id",
            ("id", id)));
        // The doubt was an event (the outlet counts sends in doubt), then its resolution and the delivery.
        Assert.Equal("message_status:in_doubt,message_sent,message_status:delivered", await EventsAsync(bot));
        // The late answer of the attempt (had it come) finds it resolved: nothing moves twice.
        Assert.False(await Outbox.MarkSentAsync(id, bot, wamid));
    }

    [Fact]
    public async Task The_reconciler_moves_stale_rows_leaves_flow_sends_queued_and_handles_early_statuses()
    {
        var bot = MessageStoreFixture.NewBotId();
        var (_, staleSending) = await RowInAsync(OutboxState.Sending, bot);
        var (_, freshSending) = await RowInAsync(OutboxState.Sending, bot);
        var (_, staleApi) = await RowInAsync(OutboxState.Queued, bot);
        var staleFlow = Guid.NewGuid();
        await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, staleFlow, executionId: 7));
        await fixture.ExecuteAsync(
            "UPDATE messages SET status_changed_at = now() - interval '1 hour' WHERE client_message_id = ANY(@ids)",
            ("ids", new[] { staleSending, staleApi, staleFlow }));

        // An early status past its TTL, and one whose wamid was stored by a sender that died before applying it.
        await Statuses.ApplyStatusAsync(bot, Status("wamid.never-" + Guid.NewGuid().ToString("N"), MessageDeliveryStatus.Read));
        await fixture.ExecuteAsync("UPDATE early_statuses SET received_at = now() - interval '2 hours' WHERE bot_id = @b", ("b", bot));
        var (_, landed) = await RowInAsync(OutboxState.Sent, bot);
        var landedWamid = await fixture.ScalarAsync<string>("SELECT wa_message_id FROM messages WHERE client_message_id = @id", ("id", landed));
        await fixture.ExecuteAsync(
            "INSERT INTO early_statuses (bot_id, wa_message_id, status, status_rank, occurred_at) VALUES (@b, @w, 'delivered', 2, now())",
            ("b", bot), ("w", landedWamid));

        var reconciler = new OutboxReconciler(fixture.Database, Options.Create(new OutboundOptions
        {
            SendingStaleAfter = TimeSpan.FromMinutes(2),
            QueuedAbandonedAfter = TimeSpan.FromMinutes(5),
            EarlyStatusTtl = TimeSpan.FromHours(1),
        }));
        var report = await reconciler.RunOnceAsync();

        Assert.True(report.MarkedInDoubt >= 1 && report.Abandoned >= 1 && report.EarlyApplied >= 1 && report.EarlyPurged >= 1, report.ToString());
        Assert.Equal("in_doubt", await StatusOfAsync(staleSending));
        Assert.Equal("sending", await StatusOfAsync(freshSending));
        Assert.Equal($"failed|{OutboxStore.AbandonedTitle}|{OutboxStore.AbandonedDetail}", await fixture.ScalarAsync<string>(
            "SELECT concat_ws('|', status, error_title, error_message) FROM messages WHERE client_message_id = @id", ("id", staleApi)));
        Assert.Equal("queued", await StatusOfAsync(staleFlow));
        Assert.Equal("delivered", await StatusOfAsync(landed));
        Assert.Equal(0L, await EarlyCountAsync(bot));
    }

    /// <summary>A row of a new (or the given) bot in <paramref name="state"/>, reached through the store's own transitions.</summary>
    private async Task<(long Bot, Guid Id)> RowInAsync(OutboxState state, long? botId = null)
    {
        var bot = botId ?? MessageStoreFixture.NewBotId();
        var id = Guid.NewGuid();
        Assert.True(await Outbox.RecordQueuedAsync(MessageStatusWriterTests.Outbound(bot, id)));
        var moved = state switch
        {
            OutboxState.Queued => true,
            OutboxState.Failed => await Outbox.MarkFailedAsync(id, bot, 131026, "PermanentRecipient", "undeliverable"),
            _ => await Outbox.MarkSendingAsync(id, bot),
        };
        moved &= state switch
        {
            OutboxState.Sent => await Outbox.MarkSentAsync(id, bot, "wamid.row-" + id.ToString("N")),
            OutboxState.InDoubt => await Outbox.MarkInDoubtAsync(id, bot, "timeout"),
            _ => true,
        };
        Assert.True(moved);
        return (bot, id);
    }

    private Task<string> StatusOfAsync(Guid id) =>
        fixture.ScalarAsync<string>("SELECT status FROM messages WHERE client_message_id = @id", ("id", id));

    private Task<long> EarlyCountAsync(long bot) =>
        fixture.ScalarAsync<long>("SELECT count(*) FROM early_statuses WHERE bot_id = @b", ("b", bot));

    private async Task<string> EventsAsync(long bot) => await fixture.ScalarAsync<string>("""
        SELECT coalesce(string_agg(CASE WHEN type = 'message_status' THEN type || ':' || (data->>'status') ELSE type END, ',' ORDER BY id), '')
        FROM contact_events WHERE bot_id = @b
        """, ("b", bot));

    private static StatusUpdate Status(string wamid, MessageDeliveryStatus status) =>
        new(wamid, status, status.ToString().ToLowerInvariant(), DateTimeOffset.UtcNow, "15550002222", null, null, []);
}
