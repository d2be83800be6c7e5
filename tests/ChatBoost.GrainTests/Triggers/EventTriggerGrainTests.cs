using System.Text.Json;
using ChatBoost.Grains.Contacts.Events;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Events;
using ChatBoost.GrainTests.Flows;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ChatBoost.GrainTests.Triggers;

/// <summary>
/// Event triggers on the real silo: the outlet's dispatchers deliver to the event-trigger subscriber, which starts flows
/// through the contact grain with a key per (trigger, event). The flow here only sets an attribute, so it completes in
/// its first commit and the contact is free again at once.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public class EventTriggerGrainTests(ChatBoostClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static Task<FlowScenario> ScenarioAsync(IGrainFactory grains) => FlowScenario.CreateAsync(grains,
        new TemplateNode(1, "set_attribute", null, """{"attribute_key": "welcomed", "attribute_value": "true", "value_type": "boolean"}"""));

    private static TriggerDefinition EventTrigger(long flowId, string eventType, string? conditions) => new(
        "On " + eventType, null, flowId, "event", true, 0, null, null, false, false, eventType, conditions, null, null, null, null, null, null, null);

    private async Task<long> TriggerAsync(FlowScenario scenario, string eventType, string? conditions)
    {
        var created = await fixture.Grains.GetGrain<ITriggerSetGrain>(scenario.BotId)
            .CreateAsync(scenario.OrganizationId, scenario.UserId, EventTrigger(scenario.FlowId, eventType, conditions));
        Assert.True(created.IsOk, created.Detail);
        return created.Value!.Id;
    }

    private Task CreateContactAsync(FlowScenario scenario, string phone, bool optedIn, string? plan = null) =>
        scenario.Contact(fixture.Grains, phone).CreateAsync(new CreateContactCommand(scenario.OrganizationId, "Ann", optedIn,
            plan is null ? [] : [new SetAttributeCommand("plan", plan, "string")]));

    [Fact]
    public async Task ARedeliveredEventStartsNothingTwice_WhileAnotherEventOfTheSameTriggerStartsAgain()
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var triggerId = await TriggerAsync(scenario, "new_contact", """{"source": "api"}""");
        var phone = FlowScenario.NewPhone();
        await CreateContactAsync(scenario, phone, optedIn: true);
        Assert.Equal(1, await WaitForExecutionsAsync(scenario, phone, triggerId, 1));

        // The dispatcher delivers at least once: hand the subscriber the same event again, twice.
        var created = await ContactCreatedEventAsync(scenario.BotId, phone);
        var subscriber = fixture.Cluster.GetSiloServiceProvider().GetServices<IContactEventSubscriberBase>().OfType<EventTriggerSubscriber>().Single();
        await subscriber.HandleAsync([created], CancellationToken.None);
        await subscriber.HandleAsync([created, created], CancellationToken.None);
        Assert.Equal(1, await ExecutionsAsync(scenario.BotId, phone, triggerId));

        // What stops it is the (trigger, event) key, not the contact being busy: another event id starts again.
        await subscriber.HandleAsync([created with { Id = created.Id + 1_000_000_000 }], CancellationToken.None);
        Assert.Equal(2, await ExecutionsAsync(scenario.BotId, phone, triggerId));
        var keys = await StartKeysAsync(scenario.BotId, phone);
        Assert.Equal([$"event:{triggerId}:{created.Id}", $"event:{triggerId}:{created.Id + 1_000_000_000}"], keys);
    }

    [Fact]
    public async Task AFlowCompletedTriggerStartingItsOwnFlowStopsAtTheChainBound_AndLogsTheRefusal()
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var triggerId = await TriggerAsync(scenario, "flow_completed", $$"""{"flow_id": {{scenario.FlowId}}}""");
        var phone = FlowScenario.NewPhone();
        await scenario.StartAsync(fixture.Grains, phone); // completes at once: flow_completed → the trigger → the flow again → …

        var logs = await PollAsync(() => fixture.Grains.GetGrain<ITriggerQueryGrain>(0).LogsAsync(triggerId, 200, 0),
            l => l.Items.Any(i => i.Event == "skipped"), "a refused chain start");
        var bound = new ChatBoost.Grains.Triggers.TriggerOptions().ChainMaxStarts;
        Assert.Equal(bound, await ExecutionsAsync(scenario.BotId, phone, triggerId));
        Assert.Equal(bound + 1, await ExecutionsAsync(scenario.BotId, phone, null)); // the API's start and the chain's
        var skipped = Assert.Single(logs.Items, i => i.Event == "skipped");
        Assert.Contains("trigger chain bound", skipped.Detail, StringComparison.Ordinal);
        Assert.Equal(bound + 1, logs.Items.Count(i => i.Event == "matched"));
    }

    [Fact]
    public async Task AttributeConditionsAndTheContactsOptOutDecide()
    {
        var scenario = await ScenarioAsync(fixture.Grains);
        var triggerId = await TriggerAsync(scenario, "new_contact", """{"attribute.plan": "gold"}""");
        var (gold, silver, optedOut) = (FlowScenario.NewPhone(), FlowScenario.NewPhone(), FlowScenario.NewPhone());
        await CreateContactAsync(scenario, silver, optedIn: true, plan: "silver");
        await CreateContactAsync(scenario, optedOut, optedIn: false, plan: "GOLD");
        await CreateContactAsync(scenario, gold, optedIn: true, plan: "Gold");

        Assert.Equal(1, await WaitForExecutionsAsync(scenario, gold, triggerId, 1));
        // The contacts' events are delivered in commit order within a shard, but the three may be in different shards: wait for the log.
        var logs = await PollAsync(() => fixture.Grains.GetGrain<ITriggerQueryGrain>(0).LogsAsync(triggerId, 50, 0),
            l => l.Items.Any(i => i.Event == "skipped"), "the opted-out contact's skip");
        Assert.Equal(0, await ExecutionsAsync(scenario.BotId, optedOut, triggerId));
        Assert.Equal(0, await ExecutionsAsync(scenario.BotId, silver, triggerId));
        Assert.Contains("opted out", Assert.Single(logs.Items, i => i.Event == "skipped").Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Items, i => i.ContactPhone == silver); // not matched: not logged
    }

    private async Task<int> WaitForExecutionsAsync(FlowScenario scenario, string phone, long triggerId, int count) =>
        await PollAsync(() => ExecutionsAsync(scenario.BotId, phone, triggerId), n => n >= count, $"{count} execution(s) of trigger {triggerId}");

    private async Task<int> ExecutionsAsync(long botId, string phone, long? triggerId)
    {
        await using var db = await fixture.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND contact_wa_id = @w AND (@t::text IS NULL OR trigger = @t)", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        query.Parameters.Add(new NpgsqlParameter("t", NpgsqlTypes.NpgsqlDbType.Text) { Value = triggerId is { } t ? $"event:{t}" : DBNull.Value });
        return (int)(long)(await query.ExecuteScalarAsync())!;
    }

    private async Task<string[]> StartKeysAsync(long botId, string phone)
    {
        await using var db = await fixture.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT start_key FROM flow_executions WHERE bot_id = @b AND contact_wa_id = @w AND start_key IS NOT NULL ORDER BY id", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        var keys = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return [.. keys];
    }

    private async Task<ContactEvent> ContactCreatedEventAsync(long botId, string phone)
    {
        await using var db = await fixture.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT id, organization_id, contact_id, occurred_at, data::text FROM contact_events
            WHERE bot_id = @b AND contact_wa_id = @w AND type = 'contact_created'
            """, db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var e = new ContactEvent(reader.GetInt64(0), ContactEventTypes.ContactCreated, botId, reader.GetInt64(1), phone, reader.GetInt64(2), null, null, null, null,
            reader.GetFieldValue<DateTimeOffset>(3), JsonDocument.Parse(reader.GetString(4)).RootElement.Clone());
        Assert.False(await reader.ReadAsync()); // one contact_created per contact
        return e;
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
