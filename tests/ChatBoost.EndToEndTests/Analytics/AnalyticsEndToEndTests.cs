using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using Npgsql;

namespace ChatBoost.EndToEndTests.Analytics;

/// <summary>
/// Analytics over real traffic: customers write through signed webhooks from the fake Graph API, a default flow replies
/// through it (paced, so replies are in flight), the silo is killed with SIGKILL half-way and restarted, more customers
/// write, Meta's status webhooks arrive; then aggregate-now runs twice (the same rows, nothing written the second time)
/// and every endpoint answers figures equal to a direct count over the raw rows and to each other. A viewer reads them,
/// a non-member gets 404.
/// </summary>
[Collection(AnalyticsEndToEndCollection.Name)]
public sealed class AnalyticsEndToEndTests : IAsyncLifetime
{
    private const string AppSecret = "analytics-e2e-app-secret";
    private const string AccessToken = "EAAB-analytics-e2e-token-0001";
    private const int Rate = 5;
    private const int CustomersPerWave = 20;

    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.StartAsync(AppSecret, Rate);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task Every_endpoint_matches_the_raw_rows_after_traffic_a_killed_silo_and_two_aggregations()
    {
        var http = _scene.System.Http;
        var owner = (await http.NewUserAsync("analytics-owner")).Token;
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await http.CreateReplyingBotAsync(owner, "Analytics bot", phoneNumberId, AccessToken, "Thanks!");

        // Wave 1, then SIGKILL while most replies still wait for their pacing slot, a new silo, wave 2.
        var phones = Enumerable.Range(0, 2 * CustomersPerWave).Select(i => "4917" + (20_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        await Task.WhenAll(phones.Take(CustomersPerWave).Select(InboundAsync(phoneNumberId)));
        await _scene.System.KillSiloAsync(0);
        _scene.System.StartSilo();
        await Task.WhenAll(phones.Skip(CustomersPerWave).Select(InboundAsync(phoneNumberId)));

        await using var db = await _scene.System.OpenDatabaseAsync();
        await EventuallyAsync(async () => await CountAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId) == phones.Length,
            "every customer's execution completed");

        // Meta reports: the first ten replies delivered and read, the next ten delivered.
        var sent = await WamidsAsync(db, botId);
        foreach (var (wamid, to, index) in sent.Select((s, i) => (s.Wamid, s.To, i)).Take(20))
        {
            await StatusAsync(phoneNumberId, wamid, to, index < 10 ? ["sent", "delivered", "read"] : ["sent", "delivered"]);
        }

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd'T'00:00:00", CultureInfo.InvariantCulture);
        var first = await PostOkAsync("/analytics/aggregate-now", new { date = today, bot_id = botId, force_recalculate = true }, owner);
        var rows = await RollupRowsAsync(db, botId);
        var second = await PostOkAsync("/analytics/aggregate-now", new { date = today, bot_id = botId, force_recalculate = true }, owner);
        Assert.True(first["rows_changed"]!.GetValue<long>() > 0);
        Assert.Equal(0, second["rows_changed"]!.GetValue<long>());
        Assert.Equal(rows, await RollupRowsAsync(db, botId));

        // The truth: direct counts over the raw rows.
        long Raw(string where) => CountAsync(db, $"SELECT count(*) FROM messages WHERE bot_id = @b AND {where}", botId).GetAwaiter().GetResult();
        var inbound = Raw("direction = 'inbound'");
        var outbound = Raw("direction = 'outbound'");
        var rawSent = Raw("direction = 'outbound' AND (status IN ('sent', 'delivered', 'read') OR (status = 'failed' AND sent_at IS NOT NULL))");
        var inDoubt = Raw("status = 'in_doubt'");
        Assert.Equal(phones.Length, inbound);
        Assert.Equal(phones.Length, outbound);

        var overview = await GetOkAsync($"/analytics/overview?period=today&bot_id={botId}", owner);
        Assert.Equal(inbound + outbound, overview["total_messages"]!.GetValue<long>());
        Assert.Equal(phones.Length, overview["active_contacts"]!.GetValue<long>());
        Assert.Equal(Math.Round(100.0 * 20 / rawSent, 2), overview["delivery_rate"]!.GetValue<double>());
        Assert.Equal(100.0, overview["flow_completion_rate"]!.GetValue<double>());
        Assert.Equal(inbound + outbound, overview["top_message_types"]!["text"]!.GetValue<long>());
        Assert.Equal("today", overview["period"]!.GetValue<string>());
        Assert.Equal(botId, overview["bot_id"]!.GetValue<long>());
        Assert.NotNull(overview["average_response_time"]);

        var dates = $"start_date={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}T00:00:00&end_date={DateTime.UtcNow:yyyy-MM-dd}T23:59:59";
        var trends = await GetOkAsync($"/analytics/trends?{dates}&bot_id={botId}", owner);
        Assert.Equal(inbound + outbound, trends["buckets"]!.AsArray().Sum(b => b!["total_messages"]!.GetValue<long>()));
        Assert.Equal(inbound + outbound, trends["totals"]!["total_messages"]!.GetValue<long>());
        var hourly = await GetOkAsync($"/analytics/delivery-rates?{dates}&granularity=hourly&bot_id={botId}", owner);
        Assert.Equal(rawSent, hourly["buckets"]!.AsArray().Sum(b => b!["sent"]!.GetValue<long>()));
        Assert.Equal(20, hourly["buckets"]!.AsArray().Sum(b => b!["delivered"]!.GetValue<long>()));
        Assert.Equal(10, hourly["totals"]!["read"]!.GetValue<long>());
        Assert.Equal(inDoubt, hourly["totals"]!["in_doubt"]!.GetValue<long>());

        var performance = await GetOkAsync($"/analytics/bots/{botId}/performance?period=7days", owner);
        Assert.Equal(inbound + outbound, performance["current"]!["total_messages"]!.GetValue<long>());
        Assert.Equal(phones.Length, performance["current"]!["flows_triggered"]!.GetValue<long>());
        var active = await GetOkAsync($"/analytics/active-contacts?period=7days&bot_id={botId}", owner);
        Assert.Equal((long)phones.Length, active["active_contacts"]!.GetValue<long>());
        Assert.Equal((long)phones.Length, active["new_contacts"]!.GetValue<long>());
        Assert.Equal(0, active["returning_contacts"]!.GetValue<long>());
        var distribution = await GetOkAsync($"/analytics/message-distribution?period=7days&bot_id={botId}", owner);
        Assert.Equal(inbound, distribution["inbound_by_type"]!["text"]!.GetValue<long>());
        Assert.Equal(100.0, distribution["percentages"]!["text"]!.GetValue<double>());
        var flowId = (await GetOkAsync($"/bots/{botId}", owner))["default_flow_id"]!.GetValue<long>();
        var reply = (await GetOkAsync($"/bots/flows/{flowId}", owner))["entry_node_id"]!.GetValue<long>();
        var funnel = await GetOkAsync($"/analytics/flows/{flowId}/funnel?period=today", owner);
        var node = Assert.Single(funnel["nodes"]!.AsArray());
        Assert.Equal((reply, (long)phones.Length, (long)phones.Length), (node!["node_id"]!.GetValue<long>(), node["entered"]!.GetValue<long>(), node["left"]!.GetValue<long>()));
        var health = await GetOkAsync("/analytics/health", owner);
        Assert.True(health["row_counts"]!["daily_message_stats"]!.GetValue<long>() >= 1);

        var (csvStatus, _, csv) = await http.CallAsync(ApiCalls.Json(HttpMethod.Get, $"/analytics/trends?{dates}&bot_id={botId}&format=csv", null, owner));
        Assert.Equal(HttpStatusCode.OK, csvStatus);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("bucket_start,bucket_end,total_messages", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"total,,{inbound + outbound},", lines[^1], StringComparison.Ordinal);

        // A viewer of the bot's organization reads analytics; an outsider is told nothing exists.
        var organizationId = (await http.GetJsonAsync($"/bots/{botId}", owner)).Body!["organization_id"]!.GetValue<long>();
        var viewer = await http.NewUserAsync("analytics-viewer");
        await _scene.System.JoinAsync(organizationId, owner, viewer, "viewer");
        var outsider = await http.NewUserAsync("analytics-outsider");
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync($"/analytics/overview?bot_id={botId}", viewer.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetJsonAsync($"/analytics/overview?bot_id={botId}", outsider.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetJsonAsync($"/analytics/bots/{botId}/performance", outsider.Token)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostJsonAsync("/analytics/aggregate-now", new { date = today, bot_id = botId }, viewer.Token)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.GetJsonAsync($"/analytics/overview?period=1year&bot_id={botId}", owner)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.GetJsonAsync($"/analytics/overview?tz=Asia/Kolkata&bot_id={botId}", owner)).Status);
    }

    /// <summary>
    /// One customer message, posted again with the same wamid until acknowledged, as Meta does: right after the restart the
    /// cluster may answer 503 while it declares the killed silo dead.
    /// </summary>
    private Func<string, Task> InboundAsync(string phoneNumberId) => async phone =>
    {
        var wamid = "wamid.analytics." + phone;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            using var response = await _scene.Fake.PostAsJsonAsync("/_fake/inbound", new JsonObject
            {
                ["webhook_url"] = new Uri(_scene.System.BaseAddress, "/whatsapp/webhook").ToString(),
                ["app_secret"] = AppSecret,
                ["phone_number_id"] = phoneNumberId,
                ["from"] = phone,
                ["wamid"] = wamid,
                ["profile_name"] = "Customer " + phone[^3..],
                ["text"] = "hello",
            });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {text}");
            var statuses = JsonNode.Parse(text)!["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
            if (statuses is [200])
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{phone}: the webhook was never acknowledged: [{string.Join(", ", statuses)}]");
            await Task.Delay(TimeSpan.FromMilliseconds(200)); // Meta's retry back-off, not a synchronisation.
        }
    };

    private async Task StatusAsync(string phoneNumberId, string wamid, string to, string[] statuses)
    {
        using var response = await _scene.Fake.PostAsJsonAsync("/_fake/status", new JsonObject
        {
            ["webhook_url"] = new Uri(_scene.System.BaseAddress, "/whatsapp/webhook").ToString(),
            ["app_secret"] = AppSecret,
            ["phone_number_id"] = phoneNumberId,
            ["wamid"] = wamid,
            ["recipient_id"] = to,
            ["statuses"] = new JsonArray([.. statuses.Select(s => (JsonNode)s)]),
        });
        var results = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["results"]!.AsArray();
        Assert.All(results, r => Assert.Equal(200, r!["http_status"]!.GetValue<int>()));
    }

    private async Task<JsonNode> GetOkAsync(string path, string token)
    {
        var (status, body, _) = await _scene.System.Http.GetJsonAsync(path, token);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {status} {body?.ToJsonString()}");
        return body!;
    }

    private async Task<JsonNode> PostOkAsync(string path, object body, string token)
    {
        var (status, answer, _) = await _scene.System.Http.PostJsonAsync(path, body, token);
        Assert.True(status == HttpStatusCode.OK, $"POST {path}: {status} {answer?.ToJsonString()}");
        return answer!;
    }

    private static async Task<List<(string Wamid, string To)>> WamidsAsync(NpgsqlConnection db, long botId)
    {
        await using var command = new NpgsqlCommand(
            "SELECT wa_message_id, contact_wa_id FROM messages WHERE bot_id = @b AND direction = 'outbound' AND status = 'sent' ORDER BY id", db);
        command.Parameters.AddWithValue("b", botId);
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        Assert.True(rows.Count >= 20, $"only {rows.Count} replies were sent");
        return rows;
    }

    private static async Task<List<string>> RollupRowsAsync(NpgsqlConnection db, long botId)
    {
        await using var command = new NpgsqlCommand("""
            SELECT 'h' || hour || row(total_messages, sent, delivered, read, failed, in_doubt, responses, response_ms_total, active_contacts, new_contacts, flows_started, flows_completed)::text
            FROM hourly_message_stats WHERE bot_id = @b
            UNION ALL SELECT 'd' || date || row(total_messages, sent, delivered, read, active_contacts, new_contacts, flows_started)::text FROM daily_message_stats WHERE bot_id = @b
            UNION ALL SELECT 'a' || hour || contact_wa_id FROM contact_activity_hourly WHERE bot_id = @b
            ORDER BY 1
            """, db);
        command.Parameters.AddWithValue("b", botId);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<long> CountAsync(NpgsqlConnection db, string sql, long botId)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("b", botId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task EventuallyAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, TimeSpan.FromMinutes(3));
}
