using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Flows;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Triggers;

/// <summary>
/// Event triggers and per-bot opt keywords with real processes: WhatsApp messages through the signed webhook, the outlet's
/// dispatchers in the silo, flows answering at the fake Graph API. Shares the flow engine's system (TRIGGER_CHAIN_MAX_STARTS
/// is set there).
/// </summary>
[Collection(FlowEngineCollection.Name)]
public class EventTriggerTests(FlowEngineFixture fixture)
{
    private async Task<long> TriggerAsync(object body)
    {
        var (status, trigger, _) = await fixture.Http.PostJsonAsync("/triggers/", body, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create trigger: {status} {trigger?.ToJsonString()}");
        return trigger!["id"]!.GetValue<long>();
    }

    [Fact]
    public async Task ANewContactFiresTheSeedsNewContactTriggerOnce_AlsoWhenTwentyMessagesArriveAtOnce()
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync("New contact bot"); // no default flow: only the trigger answers
        var welcome = await fixture.NewFlowAsync(botId, "Welcome");
        await fixture.PublishAsync(welcome, await fixture.NodeAsync(welcome, "send_message", BotScenario.Text("welcome, new contact")));
        var triggerId = await TriggerAsync(new
        {
            name = "New Contact Welcome",
            bot_id = botId,
            flow_id = welcome,
            trigger_type = "event",
            event_type = "new_contact",
            event_conditions = new { source = "whatsapp" },
        });

        var phone = NewPhone();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => fixture.InboundAsync(phone, new JsonObject { ["text"] = $"message {i}" }, phoneNumberId, "Burst")));

        // Wait for the start's log line (from the flow_started event), then for every message consumed and the welcome sent.
        await PollAsync(() => StatisticsAsync(botId), s => s["flows_started"]!.GetValue<long>() >= 1);
        await PollAsync(() => CountAsync("SELECT count(*) FROM messages WHERE bot_id = @b AND contact_wa_id = @w AND direction = 'inbound'", botId, phone), n => n == 20);
        Assert.Equal(["welcome, new contact"], await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), s => s.Length >= 1));

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM contact_events WHERE bot_id = @b AND contact_wa_id = @w AND type = 'contact_created'", botId, phone));
        var (_, executions, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}?bot_id={botId}", fixture.OwnerToken);
        var execution = Assert.Single(executions!.AsArray())!;
        Assert.Equal($"event:{triggerId}", execution["trigger"]!.GetValue<string>());
        Assert.Equal(welcome, execution["flow_id"]!.GetValue<long>());
        var counters = await StatisticsAsync(botId);
        Assert.Equal(1, counters["matched"]!.GetValue<long>());
        Assert.Equal(1, counters["flows_started"]!.GetValue<long>());
        var logs = (await fixture.Http.GetJsonAsync($"/triggers/{triggerId}/logs", fixture.OwnerToken)).Body!.AsArray();
        Assert.Equal(["matched", "started"], logs.Select(l => l!["event"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(["welcome, new contact"], await fixture.SentTextsAsync(phoneNumberId, phone));
    }

    [Fact]
    public async Task AFlowCompletedTriggerThatStartsItsOwnFlowIsBoundedPerContact_AndTheRefusalIsLogged()
    {
        var (botId, _) = await fixture.NewBotAsync("Chain bot");
        var loop = await fixture.NewFlowAsync(botId, "Loop");
        await fixture.PublishAsync(loop, await fixture.NodeAsync(loop, "set_attribute", new { attribute_key = "looped", attribute_value = "{{now}}" }));
        var triggerId = await TriggerAsync(new
        {
            name = "Again",
            bot_id = botId,
            flow_id = loop,
            trigger_type = "event",
            event_type = "flow_completed",
            event_conditions = new Dictionary<string, object> { ["flow_id"] = loop },
        });

        var phone = NewPhone();
        await fixture.ExecuteAsync(botId, loop, phone); // completes at once, and the chain begins
        var logs = await PollAsync(
            async () => (await fixture.Http.GetJsonAsync($"/triggers/{triggerId}/logs?limit=200", fixture.OwnerToken)).Body!.AsArray(),
            l => l.Any(e => e!["event"]!.GetValue<string>() == "skipped"));

        var skipped = Assert.Single(logs, l => l!["event"]!.GetValue<string>() == "skipped")!;
        Assert.Contains("trigger chain bound", skipped["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(phone, skipped["contact_phone"]!.GetValue<string>());
        Assert.Equal(ChainMaxStarts, await CountAsync(
            $"SELECT count(*) FROM flow_executions WHERE bot_id = @b AND contact_wa_id = @w AND trigger = 'event:{triggerId}'", botId, phone));
        Assert.Equal(ChainMaxStarts + 1, await CountAsync("SELECT count(*) FROM flow_executions WHERE bot_id = @b AND contact_wa_id = @w", botId, phone));
        Assert.Equal(ChainMaxStarts, (await StatisticsAsync(botId))["flows_started"]!.GetValue<long>());
    }

    [Fact]
    public async Task ABotsOwnOptOutKeywordReplacesStop_AndIsValidated()
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync("Halt bot");
        var (status, invalid, _) = await fixture.Http.PutJsonAsync($"/triggers/bot/{botId}/opt-keywords", new { opt_out_keywords = Array.Empty<string>() }, fixture.OwnerToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.NotNull(invalid!["errors"]!["opt_out_keywords"]);
        (status, invalid, _) = await fixture.Http.PutJsonAsync($"/triggers/bot/{botId}/opt-keywords",
            new { opt_out_keywords = new[] { "HALT" }, opt_in_keywords = new[] { "halt" } }, fixture.OwnerToken);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.NotNull(invalid!["errors"]!["opt_in_keywords[0]"]);

        (status, var set, _) = await fixture.Http.PutJsonAsync($"/triggers/bot/{botId}/opt-keywords",
            new { opt_out_keywords = new[] { " Halt ", "BASTA" }, opt_in_keywords = new[] { "RESUME" } }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set: {status} {set?.ToJsonString()}");
        Assert.Equal(["Halt", "BASTA"], set!["opt_out_keywords"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.False(set["opt_out_is_default"]!.GetValue<bool>());
        var (_, read, _) = await fixture.Http.GetJsonAsync($"/triggers/bot/{botId}/opt-keywords", fixture.OwnerToken);
        Assert.Equal(["RESUME"], read!["opt_in_keywords"]!.AsArray().Select(k => k!.GetValue<string>()));

        // STOP is an ordinary message for this bot; HALT opts out; RESUME opts back in. Each message is consumed in order.
        var phone = NewPhone();
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "STOP" }, phoneNumberId, "Halting Customer");
        await PollAsync(() => CursorAtEndAsync(botId, phone), done => done);
        Assert.Equal(0, await OptEventCountAsync(botId, phone));
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "halt" }, phoneNumberId);
        await PollAsync(() => OptEventCountAsync(botId, phone), n => n >= 1);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM contacts WHERE bot_id = @b AND wa_id = @w AND opted_in", botId, phone));
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "Resume" }, phoneNumberId);
        await PollAsync(() => OptEventCountAsync(botId, phone), n => n >= 2);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM contacts WHERE bot_id = @b AND wa_id = @w AND opted_in", botId, phone));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM contact_events WHERE bot_id = @b AND contact_wa_id = @w AND type = 'opted_out'", botId, phone));
    }

    private async Task<JsonNode> StatisticsAsync(long botId) =>
        (await fixture.Http.GetJsonAsync($"/triggers/statistics?bot_id={botId}", fixture.OwnerToken)).Body!["total"]!;

    private Task<long> OptEventCountAsync(long botId, string phone) =>
        CountAsync("SELECT count(*) FROM contact_events WHERE bot_id = @b AND contact_wa_id = @w AND type IN ('opted_in', 'opted_out')", botId, phone);

    private async Task<bool> CursorAtEndAsync(long botId, string phone) =>
        await CountAsync(
            """
            SELECT count(*) FROM contacts c WHERE c.bot_id = @b AND c.wa_id = @w
              AND c.inbound_cursor >= (SELECT max(id) FROM messages m WHERE m.bot_id = c.bot_id AND m.contact_wa_id = c.wa_id AND m.direction = 'inbound')
            """, botId, phone) == 1;

    private async Task<long> CountAsync(string sql, long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(sql, db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
