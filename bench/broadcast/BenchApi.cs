using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ChatBoost.Bench.Broadcast;

/// <summary>
/// What the benchmark does through the API, as a tenant would: a user, a bot on the fake's number, a published flow of
/// one template <c>send_message</c> (a broadcast reaches contacts outside the 24-hour window), a schedule trigger for it,
/// the run started now (<c>POST /triggers/{id}/runs</c>) and its status.
/// </summary>
internal sealed class BenchApi(Uri baseAddress) : IDisposable
{
    private const string Password = "correct horse battery staple";
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(string Token, long BotId, long FlowId)> CreateBotWithTemplateFlowAsync(string phoneNumberId, string accessToken, string runTag)
    {
        var email = $"broadcast-bench-{runTag}@bench.test";
        await CallAsync(HttpMethod.Post, "/auth/register", null, new JsonObject { ["email"] = email, ["password"] = Password, ["full_name"] = "Bench" });
        var token = (await CallAsync(HttpMethod.Post, "/auth/token", null, new JsonObject { ["username"] = email, ["password"] = Password }))["access_token"]!
            .GetValue<string>();
        var botId = Id(await CallAsync(HttpMethod.Post, "/bots/", token, new JsonObject
        {
            ["name"] = "Broadcast bench " + runTag,
            ["is_whatsapp_enabled"] = true,
            ["whatsapp_phone_number_id"] = phoneNumberId,
            ["whatsapp_access_token"] = accessToken,
        }));
        var flowId = Id(await CallAsync(HttpMethod.Post, "/bots/flows/", token, new JsonObject { ["bot_id"] = botId, ["name"] = "Spring sale" }));
        var nodeId = Id(await CallAsync(HttpMethod.Post, "/bots/nodes/", token, new JsonObject
        {
            ["flow_id"] = flowId,
            ["type"] = "send_message",
            ["config"] = new JsonObject
            {
                ["message_type"] = "template",
                ["content"] = new JsonObject { ["template_name"] = "spring_sale", ["language_code"] = "en" },
            },
        }));
        await CallAsync(HttpMethod.Put, $"/bots/flows/{flowId}", token, new JsonObject { ["entry_node_id"] = nodeId });
        await CallAsync(HttpMethod.Post, $"/bots/flows/{flowId}/publish", token, null);
        return (token, botId, flowId);
    }

    public async Task<long> CreateScheduleTriggerAsync(string token, long botId, long flowId) =>
        Id(await CallAsync(HttpMethod.Post, "/triggers/", token, new JsonObject
        {
            ["name"] = "Spring sale",
            ["bot_id"] = botId,
            ["flow_id"] = flowId,
            ["trigger_type"] = "schedule",
            ["schedule_type"] = "once",
            ["schedule_time"] = "2099-01-01T09:00",
            ["schedule_timezone"] = "Europe/Berlin",
        }));

    public async Task<long> RunNowAsync(string token, long triggerId) => Id(await CallAsync(HttpMethod.Post, $"/triggers/{triggerId}/runs", token, null));

    public async Task<string> RunStatusAsync(string token, long runId) =>
        (await CallAsync(HttpMethod.Get, $"/triggers/runs/{runId}", token, null))["status"]!.GetValue<string>();

    public void Dispose() => _http.Dispose();

    private static long Id(JsonObject body) => body["id"]!.GetValue<long>();

    private async Task<JsonObject> CallAsync(HttpMethod method, string path, string? token, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: HTTP {(int)response.StatusCode} {text}");
        }

        return text.Length > 0 && JsonNode.Parse(text) is JsonObject parsed ? parsed : [];
    }
}
