using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Triggers;

/// <summary>
/// The inbound precedence with real processes: WhatsApp messages through the signed webhook, flows answering at the fake
/// Graph API. Each test has its own bot with a default flow, so "not the default flow" is visible.
/// </summary>
[Collection(FlowEngineCollection.Name)]
public class KeywordTriggerTests(FlowEngineFixture fixture)
{
    private async Task<long> OneMessageFlowAsync(long botId, string name, string text)
    {
        var flowId = await fixture.NewFlowAsync(botId, name);
        var node = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text(text));
        await fixture.PublishAsync(flowId, node);
        return flowId;
    }

    private async Task<(long BotId, string PhoneNumberId, long KeywordFlow, long TriggerId)> BotWithTriggerAsync()
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync("Trigger bot");
        var defaultFlow = await OneMessageFlowAsync(botId, "Default", "default flow");
        var keywordFlow = await OneMessageFlowAsync(botId, "Welcome", "welcome from the keyword trigger");
        var (status, bot, _) = await fixture.Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = defaultFlow }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set default flow: {status} {bot?.ToJsonString()}");
        var (created, trigger, _) = await fixture.Http.PostJsonAsync("/triggers/", new
        {
            name = "Welcome Trigger",
            bot_id = botId,
            flow_id = keywordFlow,
            trigger_type = "keyword",
            keywords = new[] { "hi", "hello", "hey" },
            match_type = "exact",
            case_sensitive = false,
            priority = 10,
        }, fixture.OwnerToken);
        Assert.True(created == HttpStatusCode.Created, $"create trigger: {created} {trigger?.ToJsonString()}");
        return (botId, phoneNumberId, keywordFlow, trigger!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task HeyStartsTheKeywordTriggersFlow_NotTheDefaultOne_AndIsLoggedAndCountedOnce()
    {
        var (botId, phoneNumberId, keywordFlow, triggerId) = await BotWithTriggerAsync();
        var phone = NewPhone();
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "HEY" }, phoneNumberId, "Keyword Customer");

        var sent = await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 1);
        Assert.Equal(["welcome from the keyword trigger"], sent);
        var (_, list, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}?bot_id={botId}", fixture.OwnerToken);
        var execution = Assert.Single(list!.AsArray())!;
        Assert.Equal($"keyword:{triggerId}", execution["trigger"]!.GetValue<string>());
        Assert.Equal(keywordFlow, execution["flow_id"]!.GetValue<long>());

        // The log: the match (with the keyword as normalised) and the start (written by the event outlet).
        var logs = await PollAsync(
            async () => (await fixture.Http.GetJsonAsync($"/triggers/{triggerId}/logs", fixture.OwnerToken)).Body!.AsArray(),
            l => l.Count >= 2);
        var events = logs.Select(l => l!["event"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["matched", "started"], events);
        Assert.Equal("hey", logs.Single(l => l!["event"]!.GetValue<string>() == "matched")!["matched_keyword"]!.GetValue<string>());
        Assert.Equal(execution["id"]!.GetValue<long>(), logs.Single(l => l!["event"]!.GetValue<string>() == "started")!["execution_id"]!.GetValue<long>());
        var (_, statistics, _) = await fixture.Http.GetJsonAsync($"/triggers/statistics?bot_id={botId}", fixture.OwnerToken);
        var counters = statistics!["total"]!;
        Assert.Equal(1, counters["matched"]!.GetValue<long>());
        Assert.Equal(1, counters["flows_started"]!.GetValue<long>());
        Assert.Equal(1, counters["fired"]!.GetValue<long>());
        Assert.NotNull(counters["last_fired_at"]);

        // Another message, not a keyword: the default flow.
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hey you" }, phoneNumberId);
        sent = await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 2);
        Assert.Equal(["welcome from the keyword trigger", "default flow"], sent);
    }

    [Fact]
    public async Task StopOptsTheContactOut_NothingStartsUntilStart_AndEachChangeIsAnEvent()
    {
        var (botId, phoneNumberId, _, _) = await BotWithTriggerAsync();
        var phone = NewPhone();
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "STOP" }, phoneNumberId, "Stopping Customer");
        await PollAsync(() => OptEventsAsync(botId, phone), e => e.Length >= 1);
        Assert.False(await OptedInAsync(botId, phone));

        // Opted out: a keyword starts nothing, and nothing is sent.
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hello" }, phoneNumberId);
        await PollAsync(() => ConsumedAllAsync(botId, phone), done => done);
        Assert.Empty(await fixture.SentTextsAsync(phoneNumberId, phone));
        var (_, executions, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}?bot_id={botId}", fixture.OwnerToken);
        Assert.Empty(executions!.AsArray());

        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "start" }, phoneNumberId);
        var changes = await PollAsync(() => OptEventsAsync(botId, phone), e => e.Length >= 2);
        Assert.Equal(["opted_out:keyword", "opted_in:keyword"], changes);
        Assert.True(await OptedInAsync(botId, phone));
        Assert.Empty(await fixture.SentTextsAsync(phoneNumberId, phone)); // START itself starts nothing

        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hi" }, phoneNumberId);
        Assert.Equal(["welcome from the keyword trigger"], await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 1));
    }

    [Fact]
    public async Task AWaitingExecutionTakesAKeywordAsItsReply_UnlessTheTriggerInterrupts()
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync("Interrupt bot");
        var question = await fixture.NewFlowAsync(botId, "Question");
        var thanks = await fixture.NodeAsync(question, "send_message", BotScenario.Text("thanks {{state.answer}}"));
        var wait = await fixture.NodeAsync(question, "wait", new { until = "reply", timeout = 1, timeout_unit = "hours", store_response_in = "state.answer", next = thanks });
        var ask = await fixture.NodeAsync(question, "send_message", BotScenario.Text("question?", wait));
        await fixture.PublishAsync(question, ask);
        var (status, bot, _) = await fixture.Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = question }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set default flow: {status} {bot?.ToJsonString()}");
        var help = await OneMessageFlowAsync(botId, "Help", "help text");
        var menu = await OneMessageFlowAsync(botId, "Menu", "the menu");
        foreach (var (keyword, flow, interrupts) in new[] { ("help", help, false), ("menu", menu, true) })
        {
            var (created, trigger, _) = await fixture.Http.PostJsonAsync("/triggers/", new
            {
                name = keyword,
                bot_id = botId,
                flow_id = flow,
                trigger_type = "keyword",
                keywords = new[] { keyword },
                interrupts_waiting = interrupts,
            }, fixture.OwnerToken);
            Assert.True(created == HttpStatusCode.Created, $"create trigger: {created} {trigger?.ToJsonString()}");
        }

        var phone = NewPhone();
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hello" }, phoneNumberId);
        await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 1);
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "help" }, phoneNumberId); // the reply, not the help trigger
        await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 2);
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hello" }, phoneNumberId);
        await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 3);
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "MENU" }, phoneNumberId); // interrupts the waiting question
        var sent = await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 4);
        Assert.Equal(["question?", "thanks help", "question?", "the menu"], sent);

        var (_, list, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}?bot_id={botId}", fixture.OwnerToken);
        var executions = list!.AsArray().Select(e => e!).OrderBy(e => e["id"]!.GetValue<long>()).ToList();
        Assert.Equal(3, executions.Count);
        Assert.Equal("completed", Status(executions[0]));
        Assert.Equal("cancelled", Status(await fixture.GetExecutionAsync(executions[1]["id"]!.GetValue<long>())));
        Assert.Equal(menu, executions[2]["flow_id"]!.GetValue<long>());
        Assert.StartsWith("keyword:", executions[2]["trigger"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<string[]> OptEventsAsync(long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            "SELECT type || ':' || (data->>'source') FROM contact_events WHERE bot_id = @b AND contact_wa_id = @w AND type IN ('opted_in', 'opted_out') ORDER BY id", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        var rows = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return [.. rows];
    }

    private async Task<bool> OptedInAsync(long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT opted_in FROM contacts WHERE bot_id = @b AND wa_id = @w", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        return (bool)(await query.ExecuteScalarAsync())!;
    }

    /// <summary>Whether the contact's cursor has passed every inbound message recorded for it.</summary>
    private async Task<bool> ConsumedAllAsync(long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT c.inbound_cursor >= (SELECT max(id) FROM messages m WHERE m.bot_id = c.bot_id AND m.contact_wa_id = c.wa_id AND m.direction = 'inbound')
            FROM contacts c WHERE c.bot_id = @b AND c.wa_id = @w
            """, db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        return await query.ExecuteScalarAsync() is true;
    }
}
