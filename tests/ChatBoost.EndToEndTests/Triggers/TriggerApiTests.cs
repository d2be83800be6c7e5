using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Triggers;

/// <summary>The trigger endpoints over HTTP: the seed's example bodies, the test endpoint, validation and the lists.</summary>
[Collection(SystemCollection.Name)]
public class TriggerApiTests(SharedSystemFixture fixture)
{
    private HttpClient Http => fixture.System.Http;

    private async Task<(string Token, long BotId, long[] Flows)> BotWithFlowsAsync(int flows)
    {
        var owner = await Http.NewUserAsync("triggers");
        var botId = await Http.CreateBotAsync(owner.Token);
        var ids = new long[flows];
        for (var i = 0; i < flows; i++)
        {
            ids[i] = await Http.CreateFlowAsync(owner.Token, botId, $"Flow {i + 1}");
            await Http.CreateNodeAsync(owner.Token, ids[i], "send_message", BotScenario.Text($"Hello from flow {i + 1}"));
            var (status, body, _) = await Http.PostJsonAsync($"/bots/flows/{ids[i]}/publish", null, owner.Token);
            Assert.True(status == HttpStatusCode.Created, $"publish: {status} {body?.ToJsonString()}");
        }

        return (owner.Token, botId, ids);
    }

    [Fact]
    public async Task TheSeedsThreeExampleBodiesCreateTriggers_AndHelloThereIsTested()
    {
        var (token, botId, flows) = await BotWithFlowsAsync(3);
        var (status, keyword, _) = await Http.PostJsonAsync("/triggers/", new
        {
            name = "Welcome Trigger",
            bot_id = botId,
            flow_id = flows[0],
            trigger_type = "keyword",
            keywords = new[] { "hi", "hello", "hey" },
            match_type = "exact",
            case_sensitive = false,
            priority = 10,
        }, token);
        Assert.True(status == HttpStatusCode.Created, $"keyword: {status} {keyword?.ToJsonString()}");
        Assert.Equal("exact", keyword!["match_type"]!.GetValue<string>());
        Assert.Equal(10, keyword["priority"]!.GetValue<int>());
        Assert.True(keyword["is_active"]!.GetValue<bool>());

        (status, var @event, _) = await Http.PostJsonAsync("/triggers/", new
        {
            name = "New Contact Welcome",
            bot_id = botId,
            flow_id = flows[1],
            trigger_type = "event",
            event_type = "new_contact",
            event_conditions = new { source = "whatsapp" },
        }, token);
        Assert.True(status == HttpStatusCode.Created, $"event: {status} {@event?.ToJsonString()}");
        Assert.Equal("whatsapp", @event!["event_conditions"]!["source"]!.GetValue<string>());

        (status, var schedule, _) = await Http.PostJsonAsync("/triggers/", new
        {
            name = "Daily Reminder",
            bot_id = botId,
            flow_id = flows[2],
            trigger_type = "schedule",
            schedule_type = "daily",
            schedule_time = "09:00",
            schedule_timezone = "UTC",
        }, token);
        Assert.True(status == HttpStatusCode.Created, $"schedule: {status} {schedule?.ToJsonString()}");
        Assert.Equal("09:00", schedule!["schedule_time"]!.GetValue<string>());

        var keywordId = keyword["id"]!.GetValue<long>();
        var (tested, result, _) = await Http.PostJsonAsync($"/triggers/{keywordId}/test", new { test_message = "hello there" }, token);
        Assert.Equal(HttpStatusCode.OK, tested);
        Assert.False(result!["matched"]!.GetValue<bool>()); // exact: "hello there" is not "hello"
        Assert.Equal("nothing", result["would_run"]!.GetValue<string>());

        (_, result, _) = await Http.PostJsonAsync($"/triggers/{keywordId}/test", new { test_message = "  HELLO " }, token);
        Assert.True(result!["matched"]!.GetValue<bool>());
        Assert.Equal("hello", result["matched_keyword"]!.GetValue<string>());
        Assert.Equal("exact", result["match_type"]!.GetValue<string>());
        Assert.Equal("keyword_trigger", result["would_run"]!.GetValue<string>());
        Assert.Equal(keywordId, result["would_run_trigger_id"]!.GetValue<long>());
        Assert.Equal(flows[0], result["would_run_flow_id"]!.GetValue<long>());

        (_, result, _) = await Http.PostJsonAsync($"/triggers/{keywordId}/test", new { test_message = "STOP" }, token);
        Assert.Equal("opt_out", result!["would_run"]!.GetValue<string>());

        var (_, list, response) = await Http.GetJsonAsync($"/triggers/?bot_id={botId}", token);
        Assert.Equal("3", response.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(3, list!.AsArray().Count);
        (_, list, _) = await Http.GetJsonAsync($"/triggers/?bot_id={botId}&trigger_type=event", token);
        Assert.Equal("New Contact Welcome", Assert.Single(list!.AsArray())!["name"]!.GetValue<string>());
        (_, list, _) = await Http.GetJsonAsync($"/triggers/bot/{botId}", token);
        Assert.Equal(3, list!.AsArray().Count);

        // Testing changed nothing: no log line, no count.
        var (_, logs, _) = await Http.GetJsonAsync($"/triggers/{keywordId}/logs", token);
        Assert.Empty(logs!.AsArray());
        var (_, statistics, _) = await Http.GetJsonAsync($"/triggers/statistics?bot_id={botId}", token);
        Assert.Equal(0, statistics!["total"]!["matched"]!.GetValue<long>());
        Assert.Equal(3, statistics["triggers"]!.AsArray().Count);
    }

    [Fact]
    public async Task InvalidBodiesAre422WithTheField()
    {
        var (token, botId, flows) = await BotWithFlowsAsync(1);
        var other = await BotWithFlowsAsync(1);
        var draft = await Http.CreateFlowAsync(token, botId, "Draft");
        object Keyword(object? keywords = null, long? flow = null, string? matchType = "exact") =>
            new { name = "K", bot_id = botId, flow_id = flow ?? flows[0], trigger_type = "keyword", keywords = keywords ?? new[] { "hi" }, match_type = matchType };
        object Schedule(string zone = "UTC", string type = "daily", string? cron = null) =>
            new { name = "S", bot_id = botId, flow_id = flows[0], trigger_type = "schedule", schedule_type = type, schedule_time = type == "cron" ? null : "09:00", schedule_timezone = zone, cron_expression = cron };

        async Task AssertField(object body, string field)
        {
            var result = await Http.PostJsonAsync("/triggers/", body, token);
            AssertProblem(HttpStatusCode.UnprocessableEntity, result);
            Assert.Contains(field, ErrorFields(result.Body!));
        }

        await AssertField(Schedule(zone: "Mars/Olympus"), "schedule_timezone");
        await AssertField(Schedule(type: "cron", cron: "61 * * * *"), "cron_expression");
        await AssertField(Keyword(keywords: Array.Empty<string>()), "keywords");
        await AssertField(Keyword(keywords: new[] { "   " }), "keywords[0]");
        await AssertField(Keyword(keywords: new[] { "(a)\\1" }, matchType: "regex"), "keywords[0]");
        await AssertField(Keyword(matchType: "fuzzy"), "match_type");
        await AssertField(Keyword(flow: other.Flows[0]), "flow_id");
        await AssertField(Keyword(flow: draft), "flow_id");
        await AssertField(new { name = "E", bot_id = botId, flow_id = flows[0], trigger_type = "event", event_type = "birthday" }, "event_type");
        await AssertField(new { name = "X", bot_id = botId, flow_id = flows[0], trigger_type = "magic" }, "trigger_type");
        await AssertField(new { name = "K", bot_id = botId, flow_id = flows[0], trigger_type = "keyword", keywords = new[] { "hi" }, unknown_field = 1 }, "unknown_field");

        var (_, list, _) = await Http.GetJsonAsync($"/triggers/?bot_id={botId}", token);
        Assert.Empty(list!.AsArray());
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/triggers/?trigger_type=magic", token));
    }

    [Fact]
    public async Task UpdateActivateDeactivateAndDelete()
    {
        var (token, botId, flows) = await BotWithFlowsAsync(1);
        var (_, created, _) = await Http.PostJsonAsync("/triggers/", new
        {
            name = "Prices",
            bot_id = botId,
            flow_id = flows[0],
            trigger_type = "keyword",
            keywords = new[] { "price" },
            match_type = "contains",
        }, token);
        var id = created!["id"]!.GetValue<long>();

        var (status, updated, _) = await Http.PutJsonAsync($"/triggers/{id}", new { keywords = new[] { "cost" }, priority = 3 }, token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("cost", Assert.Single(updated!["keywords"]!.AsArray())!.GetValue<string>());
        Assert.Equal("contains", updated["match_type"]!.GetValue<string>());
        Assert.Equal("Prices", updated["name"]!.GetValue<string>());

        var (_, deactivated, _) = await Http.PostJsonAsync($"/triggers/{id}/deactivate", null, token);
        Assert.False(deactivated!["is_active"]!.GetValue<bool>());
        var (_, tested, _) = await Http.PostJsonAsync($"/triggers/{id}/test", new { test_message = "what does it cost?" }, token);
        Assert.True(tested!["matched"]!.GetValue<bool>());
        Assert.Equal("nothing", tested["would_run"]!.GetValue<string>()); // inactive: the bot would not run it
        var (_, activated, _) = await Http.PostJsonAsync($"/triggers/{id}/activate", null, token);
        Assert.True(activated!["is_active"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/triggers/{id}", token)).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/triggers/{id}", token));
    }
}
