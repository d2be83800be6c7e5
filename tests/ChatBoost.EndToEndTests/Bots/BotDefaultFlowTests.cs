using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Bots;

/// <summary>A bot's <c>default_flow_id</c> through the API: a published flow of the bot only; null clears it.</summary>
[Collection(SystemCollection.Name)]
public class BotDefaultFlowTests(SharedSystemFixture fixture)
{
    private HttpClient Http => fixture.System.Http;

    private async Task<long> PublishedFlowAsync(string token, long botId)
    {
        var flowId = await Http.CreateFlowAsync(token, botId, "Welcome");
        await Http.CreateNodeAsync(token, flowId, "send_message", BotScenario.Text("Hello!"));
        var (status, body, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.True(status == HttpStatusCode.Created, $"publish: {status} {body?.ToJsonString()}");
        return flowId;
    }

    private static void AssertInvalidDefaultFlow((HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) result)
    {
        AssertProblem(HttpStatusCode.UnprocessableEntity, result);
        Assert.Equal(["default_flow_id"], ErrorFields(result.Body!));
    }

    [Fact]
    public async Task APublishedFlowOfTheBot_IsSetShownAndCleared_AnotherBotsFlowIsRefused()
    {
        var owner = await Http.NewUserAsync("bot-default-flow");
        var botId = await Http.CreateBotAsync(owner.Token);
        var (_, created, _) = await Http.GetJsonAsync($"/bots/{botId}", owner.Token);
        Assert.True(created!.AsObject().ContainsKey("default_flow_id"));
        Assert.Null(created["default_flow_id"]);

        var flowId = await PublishedFlowAsync(owner.Token, botId);
        var (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(flowId, bot!["default_flow_id"]!.GetValue<long>());
        var (_, shown, _) = await Http.GetJsonAsync($"/bots/{botId}", owner.Token);
        Assert.Equal(flowId, shown!["default_flow_id"]!.GetValue<long>());

        // Absent leaves it.
        (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { name = "Renamed" }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(flowId, bot!["default_flow_id"]!.GetValue<long>());

        // A flow of another bot (same owner) is refused, as is an unpublished flow of this bot; the setting stays.
        var otherBot = await Http.CreateBotAsync(owner.Token);
        var otherFlow = await PublishedFlowAsync(owner.Token, otherBot);
        AssertInvalidDefaultFlow(await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = otherFlow }, owner.Token));
        var draft = await Http.CreateFlowAsync(owner.Token, botId, "Draft");
        AssertInvalidDefaultFlow(await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = draft }, owner.Token));
        AssertInvalidDefaultFlow(await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = 0 }, owner.Token));
        AssertInvalidDefaultFlow(await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = "abc" }, owner.Token));
        (_, shown, _) = await Http.GetJsonAsync($"/bots/{botId}", owner.Token);
        Assert.Equal(flowId, shown!["default_flow_id"]!.GetValue<long>());

        // A new bot has no flows: any default flow on create is refused.
        AssertInvalidDefaultFlow(await Http.PostJsonAsync("/bots/", new { name = "With default", default_flow_id = flowId }, owner.Token));

        // null clears it.
        (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = (long?)null }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(bot!["default_flow_id"]);
        (_, shown, _) = await Http.GetJsonAsync($"/bots/{botId}", owner.Token);
        Assert.Null(shown!["default_flow_id"]);
    }

    [Fact]
    public async Task ADeletedDefaultFlow_IsStillShown()
    {
        var owner = await Http.NewUserAsync("bot-default-flow-deleted");
        var botId = await Http.CreateBotAsync(owner.Token);
        var flowId = await PublishedFlowAsync(owner.Token, botId);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, owner.Token)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/bots/flows/{flowId}", owner.Token)).Status);
        var (_, shown, _) = await Http.GetJsonAsync($"/bots/{botId}", owner.Token);
        Assert.Equal(flowId, shown!["default_flow_id"]!.GetValue<long>());
        AssertInvalidDefaultFlow(await Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, owner.Token));
    }
}
