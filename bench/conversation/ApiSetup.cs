using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ChatBoost.Bench.Conversation;

/// <summary>
/// Creates, through the API as a tenant would, what the benchmark talks to: a user, a bot on the given WhatsApp number
/// (the fake must know the number and the token: the bot proves it owns it) and the bot's default flow — one
/// <c>send_message</c> node that answers every new customer — and, if asked, keyword triggers that never match.
/// </summary>
internal static class ApiSetup
{
    private const string Password = "correct horse battery staple";

    public static async Task<long> CreateBotWithDefaultFlowAsync(HttpClient api, string phoneNumberId, string accessToken, string runTag, int keywordTriggers)
    {
        var email = $"conversation-bench-{runTag}@bench.test";
        await CallAsync(api, HttpMethod.Post, "/auth/register", null, new JsonObject { ["email"] = email, ["password"] = Password, ["full_name"] = "Bench" });
        var token = (await CallAsync(api, HttpMethod.Post, "/auth/token", null, new JsonObject { ["username"] = email, ["password"] = Password }))["access_token"]!
            .GetValue<string>();
        var botId = Id(await CallAsync(api, HttpMethod.Post, "/bots/", token, new JsonObject
        {
            ["name"] = "Conversation bench " + runTag,
            ["is_whatsapp_enabled"] = true,
            ["whatsapp_phone_number_id"] = phoneNumberId,
            ["whatsapp_access_token"] = accessToken,
        }));
        var flowId = Id(await CallAsync(api, HttpMethod.Post, "/bots/flows/", token, new JsonObject { ["bot_id"] = botId, ["name"] = "Answer every customer" }));
        var nodeId = Id(await CallAsync(api, HttpMethod.Post, "/bots/nodes/", token, new JsonObject
        {
            ["flow_id"] = flowId,
            ["type"] = "send_message",
            ["name"] = "Opening hours",
            ["config"] = new JsonObject
            {
                ["message_type"] = "text",
                ["content"] = new JsonObject { ["text"] = "Thanks for writing, {{contact.name}}! We are open 9:00-18:00, Monday to Saturday." },
            },
        }));
        await CallAsync(api, HttpMethod.Put, $"/bots/flows/{flowId}", token, new JsonObject { ["entry_node_id"] = nodeId });
        await CallAsync(api, HttpMethod.Post, $"/bots/flows/{flowId}/publish", token, null);
        await CallAsync(api, HttpMethod.Put, $"/bots/{botId}", token, new JsonObject { ["default_flow_id"] = flowId });

        // Keyword triggers no customer's message matches, in the seed's mix of match types: every message is matched
        // against all of them before the default flow starts.
        string[] types = ["exact", "exact", "exact", "contains", "starts_with", "ends_with"];
        for (var i = 0; i < keywordTriggers; i++)
        {
            await CallAsync(api, HttpMethod.Post, "/triggers/", token, new JsonObject
            {
                ["name"] = $"Promo {i}",
                ["bot_id"] = botId,
                ["flow_id"] = flowId,
                ["trigger_type"] = "keyword",
                ["keywords"] = new JsonArray($"promo{i}x", $"offer{i}y"),
                ["match_type"] = types[i % types.Length],
                ["case_sensitive"] = i % 3 == 0,
                ["priority"] = i % 10,
            });
        }

        return botId;
    }

    private static long Id(JsonObject body) => body["id"]!.GetValue<long>();

    private static async Task<JsonObject> CallAsync(HttpClient api, HttpMethod method, string path, string? token, JsonObject? body)
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

        using var response = await api.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: HTTP {(int)response.StatusCode} {text}");
        }

        return text.Length > 0 && JsonNode.Parse(text) is JsonObject parsed ? parsed : [];
    }
}
