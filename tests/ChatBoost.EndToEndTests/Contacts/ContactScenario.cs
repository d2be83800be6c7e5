using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Contacts;

/// <summary>Helpers for the contact and flow engine tests: contacts, published flows that wait, executions.</summary>
public static class ContactScenario
{
    /// <summary>A phone number no other test uses: 1555 and 8 random digits.</summary>
    public static string NewPhone() => "1555" + Random.Shared.Next(10_000_000, 100_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>An attribute key no other test uses.</summary>
    public static string NewKey(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..10];

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PatchJsonAsync(this HttpClient http, string path, object body, string token) =>
        http.CallAsync(Json(HttpMethod.Patch, path, body, token));

    public static async Task<JsonNode> CreateContactAsync(this HttpClient http, string token, long botId, string phone, object? attributes = null, string? name = null)
    {
        var (status, contact, _) = await http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone, name, attributes }, token);
        Assert.True(status == HttpStatusCode.Created, $"create contact: {status} {contact?.ToJsonString()}");
        return contact!;
    }

    /// <summary>Sets one attribute and asserts 200.</summary>
    public static async Task<JsonNode> SetAttributeAsync(this HttpClient http, string token, long contactId, string key, object value, string valueType)
    {
        var (status, attribute, _) = await http.PostJsonAsync($"/contacts/{contactId}/attributes", new { key, value, value_type = valueType }, token);
        Assert.True(status == HttpStatusCode.OK, $"set {key}: {status} {attribute?.ToJsonString()}");
        return attribute!;
    }

    /// <summary>
    /// A flow of one wait node, published: until a reply (timeout 30 days, the reply stored in state.answer) or for 30
    /// days. Either way an execution stays active and sends nothing.
    /// </summary>
    public static async Task<long> CreateWaitFlowAsync(this HttpClient http, string token, long botId, bool untilReply = true, string name = "Wait")
    {
        var flowId = await http.CreateFlowAsync(token, botId, name);
        object config = untilReply
            ? new { until = "reply", timeout = 30, timeout_unit = "days", store_response_in = "state.answer" }
            : new { duration = 30, unit = "days" };
        await http.CreateNodeAsync(token, flowId, "wait", config);
        var (status, version, _) = await http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.True(status == HttpStatusCode.Created, $"publish: {status} {version?.ToJsonString()}");
        return flowId;
    }

    public static async Task<JsonNode> ExecuteAsync(this HttpClient http, string token, long botId, long flowId, string phone, object? initialState = null)
    {
        var (status, execution, _) = await http.PostJsonAsync(
            "/flows/execute", new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = initialState }, token);
        Assert.True(status == HttpStatusCode.Created, $"execute: {status} {execution?.ToJsonString()}");
        return execution!;
    }

    /// <summary>The <c>id</c>s of a JSON array of objects.</summary>
    public static long[] Ids(JsonNode? list) => [.. list!.AsArray().Select(item => item!["id"]!.GetValue<long>())];

    public static long TotalCount(HttpResponseMessage response) =>
        long.Parse(response.Headers.GetValues("X-Total-Count").Single(), CultureInfo.InvariantCulture);

    /// <summary>The caller's personal organization.</summary>
    public static async Task<long> PersonalOrganizationAsync(this HttpClient http, string token)
    {
        var (_, me, _) = await http.GetJsonAsync("/auth/me", token);
        return me!["personal_organization_id"]!.GetValue<long>();
    }
}
