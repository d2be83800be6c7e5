using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.GrainTests.Flows;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts;

/// <summary>
/// The durable inbound cursor: an acknowledged message is consumed exactly once, in order, whatever happened between its
/// record and its consumption; and the fence: a second activation cannot commit once the first has.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public class DurableInboundGrainTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static TemplateNode Node(long key, string type, string config) => new(key, type, null, config);

    /// <summary>A bot whose default flow waits for a reply (stored in state.answer) and then completes.</summary>
    private async Task<FlowScenario> DefaultFlowBotAsync()
    {
        var scenario = await FlowScenario.CreateAsync(Grains,
            Node(1, "wait", """{"until": "reply", "timeout": 1, "timeout_unit": "hours", "store_response_in": "state.answer", "next": null}"""));
        var updated = await Grains.GetGrain<IBotGrain>(scenario.BotId).UpdateAsync(
            new UpdateBotCommand(scenario.UserId, null, null, null, null, null, null, null, null, new IdChange(scenario.FlowId)));
        Assert.True(updated.IsOk, updated.Detail);
        return scenario;
    }

    /// <summary>What a crash right after the webhook's acknowledgement leaves: the message row, and nothing else.</summary>
    private async Task<long> RecordOnlyAsync(FlowScenario scenario, string phone, string wamid, string text)
    {
        await using var connection = await fixture.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, status, status_rank)
            VALUES (@bot, @org, @wa, 'inbound', @wamid, 'text', @text, 'received', 0)
            RETURNING id
            """, connection);
        insert.Parameters.AddWithValue("bot", scenario.BotId);
        insert.Parameters.AddWithValue("org", scenario.OrganizationId);
        insert.Parameters.AddWithValue("wa", phone);
        insert.Parameters.AddWithValue("wamid", wamid);
        insert.Parameters.AddWithValue("text", text);
        return (long)(await insert.ExecuteScalarAsync())!;
    }

    private async Task<long> CursorAsync(FlowScenario scenario, string phone)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(max(inbound_cursor), 0) FROM contacts WHERE bot_id = @bot AND wa_id = @wa", connection);
        command.Parameters.AddWithValue("bot", scenario.BotId);
        command.Parameters.AddWithValue("wa", phone);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<long>> ReceivedEventsAsync(FlowScenario scenario, string phone)
    {
        await using var connection = await fixture.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT message_id FROM contact_events
            WHERE bot_id = @bot AND contact_wa_id = @wa AND type = 'message_received' ORDER BY id
            """, connection);
        command.Parameters.AddWithValue("bot", scenario.BotId);
        command.Parameters.AddWithValue("wa", phone);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    [Fact]
    public async Task AMessageRecordedButNeverConsumed_IsConsumedWhenTheContactNextActivates()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        var messageId = await RecordOnlyAsync(scenario, phone, "wamid.lost-" + Guid.NewGuid().ToString("N"), "hello");

        // Any call activates the contact (here a read; in production the sweeper's poke or the next message).
        await scenario.Contact(Grains, phone).GetProfileAsync();
        Assert.True(await FlowScenario.EventuallyAsync(async () => await CursorAsync(scenario, phone) == messageId, TimeSpan.FromSeconds(10)));

        var executions = await Grains.GetGrain<IExecutionQueryGrain>(0).ListByPhoneAsync([scenario.OrganizationId], phone, scenario.BotId, 10, 0);
        var execution = Assert.Single(executions.Items);
        Assert.Equal("inbound", execution.Trigger);
        Assert.Contains("\"trigger_message\":\"hello\"", execution.StateJson.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal([messageId], await ReceivedEventsAsync(scenario, phone));
    }

    [Fact]
    public async Task ADuplicateDelivery_ConsumesWhatAFailedEarlierCallLeftBehind()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        var wamid = "wamid.retried-" + Guid.NewGuid().ToString("N");
        var contact = scenario.Contact(Grains, phone);
        Assert.Null(await contact.GetProfileAsync()); // active, nothing to consume yet
        var messageId = await RecordOnlyAsync(scenario, phone, wamid, "first try"); // committed, then the call failed (503)

        // Meta retries: the record is a duplicate, and the grain consumes the message it never saw.
        var outcome = await contact.RecordInboundAsync(new InboundMessageInput(
            scenario.OrganizationId, wamid, "Ada", "text", "first try", """{"type":"text"}""", DateTimeOffset.UtcNow));
        Assert.Equal(InboundOutcome.Duplicate, outcome);
        Assert.True(await FlowScenario.EventuallyAsync(async () => await CursorAsync(scenario, phone) == messageId, TimeSpan.FromSeconds(10)));
        Assert.Equal([messageId], await ReceivedEventsAsync(scenario, phone));
    }

    [Fact]
    public async Task EveryMessageIsConsumedOnce_InIdOrder_AcrossDeactivations()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        var contact = scenario.Contact(Grains, phone);
        for (var i = 0; i < 12; i++)
        {
            await contact.RecordInboundAsync(new InboundMessageInput(
                scenario.OrganizationId, $"wamid.order-{i}-{Guid.NewGuid():N}", "Ada", "text", $"m{i}", """{"type":"text"}""", DateTimeOffset.UtcNow));
            if (i is 3 or 8)
            {
                // Mid-way through consuming: whatever was not committed is consumed by the next activation.
                await fixture.RequestDeactivationAsync(contact);
            }
        }

        await using var connection = await fixture.OpenAsync();
        await using var ids = new NpgsqlCommand(
            "SELECT array_agg(id ORDER BY id) FROM messages WHERE bot_id = @bot AND contact_wa_id = @wa AND direction = 'inbound'", connection);
        ids.Parameters.AddWithValue("bot", scenario.BotId);
        ids.Parameters.AddWithValue("wa", phone);
        var recorded = (long[])(await ids.ExecuteScalarAsync())!;
        Assert.Equal(12, recorded.Length);
        Assert.True(await FlowScenario.EventuallyAsync(async () => await CursorAsync(scenario, phone) == recorded[^1], TimeSpan.FromSeconds(20)));
        Assert.Equal(recorded, await ReceivedEventsAsync(scenario, phone));

        // The default flow waits for a reply: message 0 started it, message 1 was its reply, message 2 started the next…
        var executions = await Grains.GetGrain<IExecutionQueryGrain>(0).ListByPhoneAsync([scenario.OrganizationId], phone, scenario.BotId, 50, 0);
        Assert.Equal(6, executions.Items.Count);
        Assert.All(executions.Items, e => Assert.Equal(ExecutionStatuses.Completed, e.Status));
    }

    [Fact]
    public async Task ASecondActivation_CannotCommitOnceTheFirstHas()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        var created = await scenario.Contact(Grains, phone).CreateAsync(new CreateContactCommand(scenario.OrganizationId, "Ada", true, []));
        Assert.True(created.IsOk, created.Detail);

        // Two activations of one contact (membership churn, a partition) loaded the same rows.
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var store = new ContactStore(new Database(dataSource));
        var first = new ContactSession(scenario.BotId, phone, store);
        var second = new ContactSession(scenario.BotId, phone, store);
        await first.LoadAsync(default);
        await second.LoadAsync(default);

        await first.CommitAsync(new ContactChanges(first.Contact! with { Name = "First" }));
        await Assert.ThrowsAsync<ContactFencedException>(() => second.CommitAsync(new ContactChanges(second.Contact! with { Name = "Second" })));
        Assert.True(second.Fenced);
        await Assert.ThrowsAsync<ContactFencedException>(() => second.CommitAsync(new ContactChanges(second.Contact!)));

        await using var connection = await fixture.OpenAsync();
        await using var name = new NpgsqlCommand("SELECT name FROM contacts WHERE bot_id = @bot AND wa_id = @wa", connection);
        name.Parameters.AddWithValue("bot", scenario.BotId);
        name.Parameters.AddWithValue("wa", phone);
        Assert.Equal("First", await name.ExecuteScalarAsync());
    }

    [Fact]
    public async Task TwoActivationsCreatingTheSameContact_OneWins()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var store = new ContactStore(new Database(dataSource));
        var first = new ContactSession(scenario.BotId, phone, store);
        var second = new ContactSession(scenario.BotId, phone, store);
        var now = DateTimeOffset.UtcNow;
        await first.CommitAsync(new ContactChanges(first.ContactOrNew(scenario.OrganizationId, now)));
        await Assert.ThrowsAsync<ContactFencedException>(() => second.CommitAsync(new ContactChanges(second.ContactOrNew(scenario.OrganizationId, now))));
    }
}
