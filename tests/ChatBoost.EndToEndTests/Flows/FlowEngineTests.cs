using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// Flows run by the real silo: messages go to the fake Graph API, replies come back as signed webhooks through the
/// API, webhook calls reach the local <see cref="TestTarget"/>.
/// </summary>
[Collection(FlowEngineCollection.Name)]
public class FlowEngineTests(FlowEngineFixture fixture)
{
    [Fact]
    public async Task TheSeedsFourNodeExamples_ChainedIntoOneFlow_SendWaitBranchAndCallTheWebhook()
    {
        // The contact writes first: the 24-hour window opens and the profile name gives contact.first_name.
        var phone = NewPhone();
        await fixture.InboundAsync(phone, new JsonObject { ["text"] = "hi there" }, profileName: "Ada Lovelace");

        // The seed's send_message → wait → condition → webhook_action, built backwards so each branch names an existing node.
        var flowId = await fixture.NewFlowAsync(fixture.BotId, "Seed chain");
        var webhook = await fixture.NodeAsync(flowId, "webhook_action", new
        {
            url = $"{fixture.Target.BaseUrl}/echo",
            method = "POST",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{state.api_token}}" },
            body = new { data = "{{state.user_data}}" },
            store_response_in = "state.api_result",
            next = (long?)null,
        });
        var declined = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("Maybe later, {{contact.first_name}}."));
        var condition = await fixture.NodeAsync(flowId, "condition",
            new { variable = "state.user_response", @operator = "==", value = "yes", true_path = webhook, false_path = declined });
        var wait = await fixture.NodeAsync(flowId, "wait", new { duration = 2, unit = "seconds", next = condition });
        var hello = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("Hello {{contact.first_name}}!", wait));
        await fixture.PublishAsync(flowId, hello);

        var started = await fixture.ExecuteAsync(fixture.BotId, flowId, phone, new { api_token = "t0k", user_data = "d1", user_response = "yes" });
        var id = started["id"]!.GetValue<long>();
        var execution = await fixture.WaitForEndAsync(id);
        Assert.True(Status(execution) == "completed", await fixture.DescribeAsync(id, execution));

        // WhatsApp got the rendered greeting (and not the false branch's message).
        Assert.Equal(["Hello Ada!"], await fixture.SentTextsAsync(fixture.PhoneNumberId, phone));

        // The target got the rendered header and body.
        var calls = fixture.Target.RequestsOn(fixture.Target.Port)
            .Where(r => r.Path == "/echo" && r.Headers.GetValueOrDefault("authorization") == "Bearer t0k")
            .ToList();
        var call = Assert.Single(calls);
        Assert.Equal("POST", call.Method);
        Assert.StartsWith("application/json", call.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"data":"d1"}"""), JsonNode.Parse(call.Body)), call.Body);

        // The echo is in state.api_result, as parsed JSON.
        var result = execution["state"]!["api_result"];
        Assert.True(result is JsonObject, execution.ToJsonString());
        Assert.True(result!["echoed"]!.GetValue<bool>());
        Assert.Equal("d1", result["received"]!["data"]!.GetValue<string>());
        Assert.Equal("Bearer t0k", result["headers"]!["authorization"]!.GetValue<string>());
        Assert.Null(execution["current_node_id"]);
        Assert.Null(execution["error"]);

        // The log lists the steps in order.
        var logs = await fixture.LogsAsync(id);
        Assert.Equal(
            [
                ("started", null),
                ("message_queued", hello),
                ("message_sent", hello),
                ("waiting", wait),
                ("wait_ended", wait),
                ("branch", condition),
                ("webhook_called", webhook),
                ("webhook_succeeded", webhook),
                ("completed", webhook),
            ],
            Steps(logs));
        Assert.Equal(Enumerable.Range(1, logs.Length), logs.Select(l => l["seq"]!.GetValue<int>()));
        Assert.Contains("true_path", logs.Single(l => l["event"]!.GetValue<string>() == "branch")["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(logs, l => Assert.DoesNotContain("t0k", l["detail"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AButtonReply_ThroughTheWebhook_RoutesTheCondition()
    {
        // The window is opened without a message reaching the contact grain, so nothing but the button reply can be the reply.
        var phone = NewPhone();
        await fixture.OpenWindowQuietlyAsync(fixture.BotId, fixture.PhoneNumberId, phone);

        var flowId = await fixture.NewFlowAsync(fixture.BotId, "Buttons");
        var saidNo = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("You said no"));
        var saidYes = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("You said yes"));
        var condition = await fixture.NodeAsync(flowId, "condition",
            new { variable = "state.user_response", @operator = "==", value = "yes", true_path = saidYes, false_path = saidNo });
        var wait = await fixture.NodeAsync(flowId, "wait", new { until = "reply", timeout = 1, timeout_unit = "hours", next = condition });
        var buttons = await fixture.NodeAsync(flowId, "send_message", new
        {
            message_type = "interactive",
            content = new
            {
                type = "button",
                body = "Shall we, {{contact.first_name}}?",
                buttons = new[] { new { id = "yes", title = "Yes" }, new { id = "no", title = "No" } },
            },
            next = wait,
        });
        await fixture.PublishAsync(flowId, buttons);

        var started = await fixture.ExecuteAsync(fixture.BotId, flowId, phone);
        var id = started["id"]!.GetValue<long>();
        var waiting = await fixture.WaitForExecutionAsync(id, e => Status(e) == "waiting_for_reply", "waiting for the reply");
        Assert.Equal(wait, waiting["current_node_id"]!.GetValue<long>());
        Assert.Null(waiting["state"]!["user_response"]);
        var sent = await fixture.SentAsync(fixture.PhoneNumberId, phone);
        var interactive = Assert.Single(sent)!["body"]!["interactive"]!;
        Assert.Equal("button", interactive["type"]!.GetValue<string>());
        Assert.Equal(["yes", "no"], interactive["action"]!["buttons"]!.AsArray().Select(b => b!["reply"]!["id"]!.GetValue<string>()));

        await fixture.InboundAsync(phone, new JsonObject
        {
            ["type"] = "interactive",
            ["interactive"] = new JsonObject { ["button_reply"] = new JsonObject { ["id"] = "no", ["title"] = "No" } },
        });

        var execution = await fixture.WaitForEndAsync(id);
        Assert.True(Status(execution) == "completed", await fixture.DescribeAsync(id, execution));
        Assert.Equal("no", execution["state"]!["user_response"]!.GetValue<string>());
        var texts = await fixture.SentTextsAsync(fixture.PhoneNumberId, phone);
        Assert.Equal(2, texts.Length);
        Assert.Equal("You said no", texts[1]);
        Assert.DoesNotContain("You said yes", texts);
        Assert.Equal(
            [("reply_received", wait), ("branch", condition), ("message_queued", saidNo), ("message_sent", saidNo), ("completed", saidNo)],
            Steps(await fixture.LogsAsync(id)).SkipWhile(s => s.Event != "reply_received"));
    }

    [Fact]
    public async Task TwentyConcurrentMessages_StartOneExecution_AndAreHandledInArrivalOrder()
    {
        // Its own bot: the default flow starts for every contact that writes to it.
        var (botId, phoneNumberId) = await fixture.NewBotAsync("Echo bot");
        var flowId = await fixture.NewFlowAsync(botId, "Echo");
        var wait = await fixture.NodeAsync(flowId, "wait",
            new { until = "reply", timeout = 1, timeout_unit = "hours", store_response_in = "state.m", next = (long?)null });
        var echo = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("echo {{state.m}}", wait));
        await fixture.UpdateNodeAsync(wait, "wait",
            new { until = "reply", timeout = 1, timeout_unit = "hours", store_response_in = "state.m", next = echo });
        var first = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text("echo {{state.trigger_message}}", wait));
        await fixture.PublishAsync(flowId, first);
        var (status, bot, _) = await fixture.Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set default flow: {status} {bot?.ToJsonString()}");

        var phone = NewPhone();
        var texts = Enumerable.Range(1, 20).Select(i => $"m{i:00}").ToArray();
        await Task.WhenAll(texts.Select(text => fixture.InboundAsync(phone, new JsonObject { ["text"] = text }, phoneNumberId, "Concurrent Customer")));

        // The order in which the messages were recorded (inbound rows by id).
        var recorded = await InboundTextsAsync(botId, phone);
        Assert.Equal(texts, recorded.Order(StringComparer.Ordinal));

        // Wait until the flow has answered everything it is going to answer: 20 echoes, then waiting again.
        await PollAsync(() => fixture.SentTextsAsync(phoneNumberId, phone), sent => sent.Length >= texts.Length);
        var (listStatus, list, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}", fixture.OwnerToken);
        Assert.True(listStatus == HttpStatusCode.OK, $"{listStatus} {list?.ToJsonString()}");
        var only = Assert.Single(list!.AsArray())!;
        Assert.Equal("inbound", only["trigger"]!.GetValue<string>());
        Assert.Equal(flowId, only["flow_id"]!.GetValue<long>());
        var id = only["id"]!.GetValue<long>();
        var execution = await fixture.WaitForExecutionAsync(id,
            e => Status(e) == "waiting_for_reply" && e["state"]!["m"]?.GetValue<string>() == recorded[^1], "waiting after the last message");

        var echoes = await fixture.SentTextsAsync(phoneNumberId, phone);
        Assert.True(recorded.Select(t => "echo " + t).SequenceEqual(echoes),
            $"recorded: {string.Join(' ', recorded)}\nechoed:   {string.Join(' ', echoes)}\n{await fixture.DescribeAsync(id, execution)}");
        Assert.Equal(recorded[0], execution["state"]!["trigger_message"]!.GetValue<string>());

        // Every message after the first was delivered as a reply; none was dropped.
        var replies = (await fixture.LogsAsync(id)).Where(l => l["event"]!.GetValue<string>() == "reply_received").ToList();
        Assert.Equal(texts.Length - 1, replies.Count);
        var (_, again, _) = await fixture.Http.GetJsonAsync($"/flows/executions/contact/{phone}", fixture.OwnerToken);
        Assert.Single(again!.AsArray());
    }

    private async Task<string[]> InboundTextsAsync(long botId, string phone)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            "SELECT text FROM messages WHERE bot_id = @b AND contact_wa_id = @w AND direction = 'inbound' ORDER BY id", db);
        query.Parameters.AddWithValue("b", botId);
        query.Parameters.AddWithValue("w", phone);
        var texts = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            texts.Add(reader.GetString(0));
        }

        return [.. texts];
    }
}
