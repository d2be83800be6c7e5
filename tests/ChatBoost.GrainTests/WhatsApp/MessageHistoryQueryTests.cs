using ChatBoost.Grains.WhatsApp.MessageStore;

namespace ChatBoost.GrainTests.WhatsApp;

[Collection(MessageStoreCollection.Name)]
public sealed class MessageHistoryQueryTests(MessageStoreFixture fixture)
{
    [Fact]
    public async Task Pages_return_every_message_once_newest_first()
    {
        var (bot, _) = await SeedAsync();
        var query = new MessageHistoryQuery(fixture.Database);

        var (all, pages) = await ReadAllAsync(query, bot, contact: null, limit: 7);

        Assert.Equal(26, all.Count); // 25 inbound + 1 outbound
        Assert.Equal(4, pages);
        Assert.Equal(all.Count, all.Select(m => m.Id).Distinct().Count());
        Assert.Equal(all.Select(m => m.Id).OrderDescending(), all.Select(m => m.Id));
        Assert.Equal("outbound", all[0].Direction); // recorded last
        Assert.All(all, m => Assert.Equal(bot, m.BotId));
    }

    [Fact]
    public async Task The_contact_filter_returns_only_that_conversation()
    {
        var (bot, alice) = await SeedAsync();
        var query = new MessageHistoryQuery(fixture.Database);

        var (all, _) = await ReadAllAsync(query, bot, alice, limit: 4);

        Assert.Equal(14, all.Count); // 13 inbound (even i) + 1 outbound
        Assert.All(all, m => Assert.Equal(alice, m.ContactWaId));
        Assert.Equal(all.Select(m => m.Id).OrderDescending(), all.Select(m => m.Id));
        var first = all.Single(m => m.WaMessageId == "wamid.0");
        Assert.Equal("text", first.MessageType);
        Assert.Equal("hi", first.Text);
        Assert.Equal("received", first.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), first.WaTimestamp);
        Assert.Contains("\"type\"", first.PayloadJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exact_last_page_has_no_next_cursor_and_an_empty_bot_has_no_rows()
    {
        var (bot, _) = await SeedAsync();
        var query = new MessageHistoryQuery(fixture.Database);

        var whole = await query.ListAsync(bot, null, 26, null);
        Assert.Equal(26, whole.Items.Count);
        Assert.Null(whole.NextCursor);

        var none = await query.ListAsync(MessageStoreFixture.NewBotId(), null, 10, null);
        Assert.Empty(none.Items);
        Assert.Null(none.NextCursor);
    }

    [Fact]
    public async Task Bad_limits_and_cursors_are_refused()
    {
        var query = new MessageHistoryQuery(fixture.Database);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.ListAsync(1, null, 0, null));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => query.ListAsync(1, null, 201, null));
        await Assert.ThrowsAsync<FormatException>(() => query.ListAsync(1, null, 10, "not-a-cursor"));
        await Assert.ThrowsAsync<FormatException>(() => query.ListAsync(1, null, 10, MessageCursor.Encode(1)[..10]));
        Assert.Equal(123456789L, MessageCursor.Decode(MessageCursor.Encode(123456789L)));
    }

    private static async Task<(List<MessageView> All, int Pages)> ReadAllAsync(MessageHistoryQuery query, long bot, string? contact, int limit)
    {
        var all = new List<MessageView>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await query.ListAsync(bot, contact, limit, cursor);
            Assert.InRange(page.Items.Count, 1, limit);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        return (all, pages);
    }

    /// <summary>25 inbound messages alternating between two contacts, one outbound to the first, and another bot's noise.</summary>
    private async Task<(long Bot, string Alice)> SeedAsync()
    {
        const string alice = "15550000001";
        const string bob = "15550000002";
        var bot = MessageStoreFixture.NewBotId();
        var writer = await fixture.StartWriterAsync();
        for (var i = 0; i < 25; i++)
        {
            await writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot, $"wamid.{i}", i % 2 == 0 ? alice : bob));
        }

        await writer.RecordInboundAsync(MessageStoreFixture.Inbound(bot + 1, "wamid.other", alice));
        await writer.StopAsync(CancellationToken.None);
        await new ChatBoost.Grains.WhatsApp.Outbound.OutboxStore(fixture.Database, fixture.StatementWriter).RecordQueuedAsync(
            new OutboundRecord(Guid.NewGuid(), bot, 7, alice, "text", "reply", null));
        return (bot, alice);
    }
}
