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

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PutJsonAsync(this HttpClient http, string path, object body, string token) =>
        http.CallAsync(Json(HttpMethod.Put, path, body, token));

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> DeleteAsync(this HttpClient http, string path, string token) =>
        http.CallAsync(Json(HttpMethod.Delete, path, null, token));

    public static object Text(string text, long? next = null) => new { message_type = "text", content = new { text }, next };

    /// <summary>The codes of the problems in a 422/409 body.</summary>
    public static string[] ProblemCodes(JsonNode? body) =>
        body?["problems"] is JsonArray problems ? [.. problems.Select(p => p!["code"]!.GetValue<string>())] : [];
}
