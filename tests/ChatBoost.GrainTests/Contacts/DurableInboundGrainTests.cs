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
        await using var stores = await StoreForTests.StartAsync(fixture.Database.ConnectionString);
        var first = new ContactSession(scenario.BotId, phone, stores.Store);
        var second = new ContactSession(scenario.BotId, phone, stores.Store);
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
        await using var stores = await StoreForTests.StartAsync(fixture.Database.ConnectionString);
        var first = new ContactSession(scenario.BotId, phone, stores.Store);
        var second = new ContactSession(scenario.BotId, phone, stores.Store);
        var now = DateTimeOffset.UtcNow;
        await first.CommitAsync(new ContactChanges(first.ContactOrNew(scenario.OrganizationId, now)));
        await Assert.ThrowsAsync<ContactFencedException>(() => second.CommitAsync(new ContactChanges(second.ContactOrNew(scenario.OrganizationId, now))));
    }

    [Fact]
    public async Task AnExecutionRowThatMovedUnderTheContactsFence_FencesTheWholeCommit()
    {
        var scenario = await DefaultFlowBotAsync();
        var phone = FlowScenario.NewPhone();
        var messageId = await RecordOnlyAsync(scenario, phone, "wamid.fence-" + Guid.NewGuid().ToString("N"), "hello");
        await scenario.Contact(Grains, phone).GetProfileAsync(); // consumes it: the default flow now waits for a reply
        Assert.True(await FlowScenario.EventuallyAsync(async () => await CursorAsync(scenario, phone) == messageId, TimeSpan.FromSeconds(10)));

        await using var stores = await StoreForTests.StartAsync(fixture.Database.ConnectionString);
        var session = new ContactSession(scenario.BotId, phone, stores.Store);
        await session.LoadAsync(default);
        var execution = session.Execution!;
        await using var connection = await fixture.OpenAsync();
        await using (var tamper = new NpgsqlCommand("UPDATE flow_executions SET version = version + 1 WHERE id = @id", connection))
        {
            tamper.Parameters.AddWithValue("id", execution.Id);
            await tamper.ExecuteNonQueryAsync();
        }

        // One commit of contact, attribute, execution, log line and event: with the execution row moved, none of it stays.
        var changes = new ContactChanges(session.Contact! with { Name = "Not stored" })
        {
            Execution = execution with { LogCount = execution.LogCount + 1 },
        };
        changes.UpsertAttributes.Add(("fenced", new StoredAttribute(new ChatBoost.Grains.Contacts.Attributes.AttributeValue("string", "x"), DateTimeOffset.UtcNow, null)));
        changes.Logs.Add(new ChatBoost.Grains.Flows.Engine.StepLog(null, null, "note", "must not be stored", DateTimeOffset.UtcNow, "info"));
        changes.Events.Add(new ChatBoost.Grains.Contacts.Events.NewContactEvent("opted_in", scenario.BotId, scenario.OrganizationId, phone, DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<ContactFencedException>(() => session.CommitAsync(changes));
        Assert.True(session.Fenced);

        await using var check = new NpgsqlCommand("""
            SELECT (SELECT version FROM contacts WHERE id = @contact), (SELECT name FROM contacts WHERE id = @contact),
                   (SELECT count(*) FROM contact_attributes WHERE contact_id = @contact AND key = 'fenced'),
                   (SELECT count(*) FROM flow_execution_logs WHERE execution_id = @execution AND event = 'note'),
                   (SELECT count(*) FROM contact_events WHERE contact_id = @contact AND type = 'opted_in')
            """, connection);
        check.Parameters.AddWithValue("contact", session.Contact!.Id);
        check.Parameters.AddWithValue("execution", execution.Id);
        await using var reader = await check.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(session.Contact!.Version, reader.GetInt64(0));
        Assert.NotEqual("Not stored", reader.IsDBNull(1) ? null : reader.GetString(1));
        Assert.Equal(0, reader.GetInt64(2));
        Assert.Equal(0, reader.GetInt64(3));
        Assert.Equal(0, reader.GetInt64(4));
    }

    [Fact]
    public async Task ManyContactsCommittingAtOnce_EachKeepsItsOwnRowsAndEvents()
    {
        var scenario = await DefaultFlowBotAsync();
        await using var stores = await StoreForTests.StartAsync(fixture.Database.ConnectionString);
        var now = DateTimeOffset.UtcNow;
        var phones = Enumerable.Range(0, 40).Select(_ => FlowScenario.NewPhone()).ToList();
        var commits = phones.Select(phone =>
        {
            var session = new ContactSession(scenario.BotId, phone, stores.Store);
            var changes = new ContactChanges(session.ContactOrNew(scenario.OrganizationId, now) with { Name = "n" + phone });
            changes.Events.Add(ChatBoost.Grains.Contacts.Events.ContactEventFactory.ContactCreated(scenario.BotId, scenario.OrganizationId, phone, now, "n" + phone, "whatsapp"));
            return (phone, session.CommitAsync(changes));
        }).ToList();
        await Task.WhenAll(commits.Select(c => c.Item2));

        await using var connection = await fixture.OpenAsync();
        foreach (var (phone, commit) in commits)
        {
            await using var check = new NpgsqlCommand("""
                SELECT c.id, c.name, (SELECT array_agg(e.contact_id) FROM contact_events e WHERE e.bot_id = c.bot_id AND e.contact_wa_id = c.wa_id)
                FROM contacts c WHERE c.bot_id = @bot AND c.wa_id = @wa
                """, connection);
            check.Parameters.AddWithValue("bot", scenario.BotId);
            check.Parameters.AddWithValue("wa", phone);
            await using var reader = await check.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((await commit).Contact.Id, reader.GetInt64(0));
            Assert.Equal("n" + phone, reader.GetString(1));
            Assert.Equal([reader.GetInt64(0)], (long[])reader.GetValue(2));
        }
    }
}
