using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// The flow engine end to end: its own system (silo and API processes) pointed at the fake Graph API in this process
/// (<c>WHATSAPP_API_BASE_URL</c>, as the send tests do) with the webhook secrets of the webhook tests, and a
/// <see cref="TestTarget"/> whose main and redirect-destination listeners are on <c>FLOW_WEBHOOK_ALLOW_LIST</c>. One
/// owner and one WhatsApp-enabled bot (no default flow); tests that need a default flow make their own bot.
/// </summary>
public sealed class FlowEngineFixture : IAsyncLifetime
{
    public const string AppSecret = "flow-engine-app-secret";
    public const string VerifyToken = "flow-engine-verify-token";
    public const string AccessToken = "EAAB-flow-engine-token-0001";

    /// <summary>How long an asynchronous outcome (a wait, a webhook call, a reply) may take before a poll gives up.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    /// <summary>TRIGGER_CHAIN_MAX_STARTS of this system (the default is 10): a flow_completed chain stops after this many.</summary>
    public const int ChainMaxStarts = 3;

    private static readonly string[] Terminal = ["completed", "failed", "cancelled"];

    private WebApplication? _fake;
    private ChatBoostSystem? _system;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public HttpClient Http => System.Http;

    /// <summary>The fake Graph API's control client (<c>/_fake/…</c>).</summary>
    public HttpClient Fake { get; private set; } = null!;

    public TestTarget Target { get; private set; } = null!;

    public string WebhookUrl => new Uri(System.BaseAddress, "/whatsapp/webhook").ToString();

    public string OwnerToken { get; private set; } = "";

    public long BotId { get; private set; }

    public string PhoneNumberId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync();
        Fake = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        Target = await TestTarget.StartAsync();

        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = AppSecret,
            ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = VerifyToken,
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["FLOW_WEBHOOK_ALLOW_LIST"] = $"127.0.0.1:{Target.Port},127.0.0.1:{Target.SecretPort}",
            ["TRIGGER_CHAIN_MAX_STARTS"] = ChainMaxStarts.ToString(CultureInfo.InvariantCulture),
        });
        OwnerToken = (await Http.NewUserAsync("flow-engine-owner")).Token;
        (BotId, PhoneNumberId) = await NewBotAsync("Flow engine bot");
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        if (Target is not null)
        {
            await Target.DisposeAsync();
        }

        Fake?.Dispose();
        if (_fake is not null)
        {
            await _fake.StopAsync();
            await _fake.DisposeAsync();
        }
    }

    // ---- Bots, contacts, inbound messages ----

    public static string NewPhone() =>
        "4917" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>A WhatsApp-enabled bot with its own phone number id (the fake accepts any) and access token.</summary>
    public async Task<(long BotId, string PhoneNumberId)> NewBotAsync(string name)
    {
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await Http.CreateBotAsync(OwnerToken, new
        {
            name,
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phoneNumberId,
            whatsapp_access_token = AccessToken,
        });
        return (botId, phoneNumberId);
    }

    /// <summary>POST /_fake/inbound: the fake signs and posts an inbound webhook to the API (and opens its 24-hour window).</summary>
    public async Task<JsonObject> InboundAsync(string from, JsonObject message, string? phoneNumberId = null, string? profileName = null)
    {
        message["webhook_url"] = WebhookUrl;
        message["app_secret"] = AppSecret;
        message["phone_number_id"] = phoneNumberId ?? PhoneNumberId;
        message["from"] = from;
        if (profileName is not null)
        {
            message["profile_name"] = profileName;
        }

        using var response = await Fake.PostAsJsonAsync("/_fake/inbound", message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {text}");
        var result = JsonNode.Parse(text)!.AsObject();
        var statuses = result["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
        Assert.True(statuses is [200], $"the webhook was not acknowledged: [{string.Join(", ", statuses)}] {result["errors"]?.ToJsonString()}");
        return result;
    }

    /// <summary>
    /// Opens the 24-hour window without a message reaching the contact grain: an inbound row the grain reads when it
    /// activates (it must not be active yet), and the fake's own window. For tests where a stray inbound message could
    /// be taken as the reply the flow waits for.
    /// </summary>
    public async Task OpenWindowQuietlyAsync(long botId, string phoneNumberId, string waId)
    {
        await using (var db = await System.OpenDatabaseAsync())
        await using (var insert = new NpgsqlCommand(
            """
            WITH m AS (
                INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, status, status_rank, wa_timestamp)
                SELECT @b, organization_id, @w, 'inbound', @id, 'text', 'hi', 'received', 0, now() - interval '1 minute' FROM bots WHERE id = @b
                RETURNING id, organization_id)
            -- Already consumed (the contact's cursor is past it), so the engine never sees it: only the window opens.
            INSERT INTO contacts (bot_id, organization_id, wa_id, created_at, inbound_cursor)
            SELECT @b, m.organization_id, @w, now(), m.id FROM m
            ON CONFLICT (bot_id, wa_id) DO UPDATE SET inbound_cursor = GREATEST(contacts.inbound_cursor, EXCLUDED.inbound_cursor)
            """, db))
        {
            insert.Parameters.AddWithValue("b", botId);
            insert.Parameters.AddWithValue("w", waId);
            insert.Parameters.AddWithValue("id", "wamid.flow-window-" + Guid.NewGuid().ToString("N"));
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        using var response = await Fake.PostAsJsonAsync("/_fake/customer-wrote", new { phone_number_id = phoneNumberId, wa_id = waId });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The messages the fake received from the system for one phone number id and recipient, oldest first.</summary>
    public async Task<JsonArray> SentAsync(string phoneNumberId, string to)
    {
        var text = await Fake.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&to={to}&limit=10000", UriKind.Relative));
        return JsonNode.Parse(text)!["requests"]!.AsArray();
    }

    /// <summary>The text of each text message (or the body of each interactive one) the fake received for the recipient.</summary>
    public async Task<string[]> SentTextsAsync(string phoneNumberId, string to) =>
        [.. (await SentAsync(phoneNumberId, to))
            .Where(r => r!["http_status"]?.GetValue<int>() == 200)
            .Select(r => r!["body"]?["text"]?["body"]?.GetValue<string>()
                ?? r!["body"]?["interactive"]?["body"]?["text"]?.GetValue<string>()
                ?? "")];

    // ---- Flows ----

    public Task<long> NewFlowAsync(long botId, string name) => Http.CreateFlowAsync(OwnerToken, botId, name);

    public Task<long> NodeAsync(long flowId, string type, object config) => Http.CreateNodeAsync(OwnerToken, flowId, type, config);

    /// <summary>PUT /bots/nodes/{id}: replaces the node's config (to close a loop once the node it points at exists).</summary>
    public async Task UpdateNodeAsync(long nodeId, string type, object config)
    {
        var (status, body, _) = await Http.PutJsonAsync($"/bots/nodes/{nodeId}", new { type, config }, OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"update node {nodeId}: {status} {body?.ToJsonString()}");
    }

    /// <summary>Sets the entry node and publishes the flow.</summary>
    public async Task PublishAsync(long flowId, long entryNodeId)
    {
        var (status, body, _) = await Http.PutJsonAsync($"/bots/flows/{flowId}", new { entry_node_id = entryNodeId }, OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set entry of flow {flowId}: {status} {body?.ToJsonString()}");
        (status, body, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"publish flow {flowId}: {status} {body?.ToJsonString()}");
    }

    // ---- Executions ----

    public async Task<JsonNode> ExecuteAsync(long botId, long flowId, string phone, object? initialState = null)
    {
        var (status, execution, _) = await Http.PostJsonAsync(
            "/flows/execute", new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = initialState }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"POST /flows/execute: {(int)status} {execution?.ToJsonString()}\n{SiloLogTail()}");
        return execution!;
    }

    public async Task<JsonNode> GetExecutionAsync(long executionId)
    {
        var (status, execution, _) = await Http.GetJsonAsync($"/flows/executions/{executionId}", OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"GET /flows/executions/{executionId}: {(int)status} {execution?.ToJsonString()}");
        return execution!;
    }

    /// <summary>Every log line of the execution, in order (all pages).</summary>
    public async Task<JsonObject[]> LogsAsync(long executionId)
    {
        var lines = new List<JsonObject>();
        var after = 0;
        while (true)
        {
            var (status, page, _) = await Http.GetJsonAsync($"/flows/executions/{executionId}/logs?after={after}&limit=200", OwnerToken);
            Assert.True(status == HttpStatusCode.OK, $"GET logs of {executionId}: {(int)status} {page?.ToJsonString()}");
            lines.AddRange(page!["items"]!.AsArray().Select(i => i!.AsObject()));
            if (page["next_after"] is not JsonValue next)
            {
                return [.. lines];
            }

            after = next.GetValue<int>();
        }
    }

    /// <summary>Polls the execution until <paramref name="done"/> holds; fails with the execution, its log and the silo's log otherwise.</summary>
    public async Task<JsonNode> WaitForExecutionAsync(long executionId, Func<JsonNode, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        JsonNode execution;
        while (true)
        {
            execution = await GetExecutionAsync(executionId);
            if (done(execution))
            {
                return execution;
            }

            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"execution {executionId}: {what} did not happen within {Deadline.TotalSeconds} s.\n{await DescribeAsync(executionId, execution)}");
        return execution;
    }

    /// <summary>Polls until the execution has ended (completed, failed or cancelled).</summary>
    public Task<JsonNode> WaitForEndAsync(long executionId) =>
        WaitForExecutionAsync(executionId, e => Terminal.Contains(Status(e)), "the end");

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds or the deadline passes; returns the last value.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(200);
        }
    }

    public static string Status(JsonNode execution) => execution["status"]!.GetValue<string>();

    /// <summary>The execution, its log and the end of the silo's log: the evidence for a failure message.</summary>
    public async Task<string> DescribeAsync(long executionId, JsonNode? execution = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"execution: {(execution ?? await GetExecutionAsync(executionId)).ToJsonString()}");
        text.AppendLine("log:");
        foreach (var line in await LogsAsync(executionId))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {line["seq"]} node {line["node_id"]} {line["node_type"]} {line["event"]} [{line["level"]}] {line["detail"]}");
        }

        text.Append(SiloLogTail());
        return text.ToString();
    }

    /// <summary>The silo processes' recent warnings, errors and flow lines.</summary>
    public string SiloLogTail(int lines = 60)
    {
        var interesting = System.Silos.SelectMany(s => s.Output.Split('\n'))
            .Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase)
                || l.Contains("fail", StringComparison.OrdinalIgnoreCase)
                || l.Contains("error", StringComparison.OrdinalIgnoreCase)
                || l.Contains("exception", StringComparison.OrdinalIgnoreCase)
                || l.Contains("Webhook", StringComparison.Ordinal)
                || l.Contains("xecution", StringComparison.Ordinal)
                || l.StartsWith("   at ", StringComparison.Ordinal))
            .TakeLast(lines);
        return "silo log (warnings, errors, flow lines):\n" + string.Join('\n', interesting);
    }

    /// <summary>(event, node_id) of each log line, to compare with the expected sequence.</summary>
    public static (string Event, long? NodeId)[] Steps(IEnumerable<JsonObject> lines) =>
        [.. lines.Select(l => (l["event"]!.GetValue<string>(), l["node_id"] is JsonValue id ? id.GetValue<long>() : (long?)null))];
}

/// <summary>All flow engine end-to-end tests share one <see cref="FlowEngineFixture"/> (a system costs ~10 s to start).</summary>
[CollectionDefinition(Name)]
public sealed class FlowEngineCollection : ICollectionFixture<FlowEngineFixture>
{
    public const string Name = "flow-engine";
}
