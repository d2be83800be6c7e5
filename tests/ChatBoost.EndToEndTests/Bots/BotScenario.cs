using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Bots;

/// <summary>Helpers for the bot builder tests: create bots, flows and nodes and return their ids.</summary>
public static class BotScenario
{
    public static async Task<long> CreateBotAsync(this HttpClient http, string token, object? body = null)
    {
        var (status, bot, _) = await http.PostJsonAsync("/bots/", body ?? new { name = "Bot " + Guid.NewGuid().ToString("N")[..6] }, token);
        Assert.True(status == HttpStatusCode.Created, $"create bot: {status} {bot?.ToJsonString()}");
        return bot!["id"]!.GetValue<long>();
    }

    public static async Task<long> CreateFlowAsync(this HttpClient http, string token, long botId, string name = "Flow")
    {
        var (status, flow, _) = await http.PostJsonAsync("/bots/flows/", new { bot_id = botId, name }, token);
        Assert.True(status == HttpStatusCode.Created, $"create flow: {status} {flow?.ToJsonString()}");
        return flow!["id"]!.GetValue<long>();
    }

    public static async Task<long> CreateNodeAsync(this HttpClient http, string token, long flowId, string type, object config, string? name = null)
    {
        var (status, node, _) = await http.PostJsonAsync("/bots/nodes/", new { flow_id = flowId, type, name, config }, token);
        Assert.True(status == HttpStatusCode.Created, $"create {type} node: {status} {node?.ToJsonString()}");
        return node!["id"]!.GetValue<long>();
    }

    /// <summary>
    /// A bot on <paramref name="phoneNumberId"/> (the token must reach it at the fake) whose published default flow is one
    /// <c>send_message</c> node answering <paramref name="reply"/> to every new customer, and ends.
    /// </summary>
    public static async Task<long> CreateReplyingBotAsync(this HttpClient http, string token, string name, string phoneNumberId, string accessToken, string reply)
    {
        var botId = await http.CreateBotAsync(token, new { name, is_whatsapp_enabled = true, whatsapp_phone_number_id = phoneNumberId, whatsapp_access_token = accessToken });
        var flowId = await http.CreateFlowAsync(token, botId, "Reply once");
        var node = await http.CreateNodeAsync(token, flowId, "send_message", Text(reply));
        var (entry, body, _) = await http.PutJsonAsync($"/bots/flows/{flowId}", new { entry_node_id = node }, token);
        Assert.True(entry == HttpStatusCode.OK, $"entry: {entry} {body?.ToJsonString()}");
        var (published, publishedBody, _) = await http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.True(published == HttpStatusCode.Created, $"publish: {published} {publishedBody?.ToJsonString()}");
        var (updated, bot, _) = await http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, token);
        Assert.True(updated == HttpStatusCode.OK, $"default flow: {updated} {bot?.ToJsonString()}");
        return botId;
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PutJsonAsync(this HttpClient http, string path, object body, string token) =>
        http.CallAsync(Json(HttpMethod.Put, path, body, token));

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> DeleteAsync(this HttpClient http, string path, string token) =>
        http.CallAsync(Json(HttpMethod.Delete, path, null, token));

    public static object Text(string text, long? next = null) => new { message_type = "text", content = new { text }, next };

    /// <summary>The codes of the problems in a 422/409 body.</summary>
    public static string[] ProblemCodes(JsonNode? body) =>
        body?["problems"] is JsonArray problems ? [.. problems.Select(p => p!["code"]!.GetValue<string>())] : [];
}
