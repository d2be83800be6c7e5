using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// The central promise, broken on purpose: 120 customers write to a bot whose default flow replies through a number paced at
/// 5 sends/s, every webhook is acknowledged, then the silo is killed with SIGKILL while most replies still wait for their
/// pacing slot. After a new silo starts, every customer has exactly one completed execution and at most one reply at the
/// fake Graph API; every reply that was not in flight at the kill arrives exactly once, and the ones that were are
/// <c>in_doubt</c> (never resent). And the same with the kill during a send whose answer Meta (the fake) holds.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string AppSecret = "crash-recovery-app-secret";
    private const string AccessToken = "EAAB-crash-recovery-token-0001";
    private const int Rate = 5;
    private const int Customers = 120;

    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.StartAsync(AppSecret, Rate);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task AKilledSilo_LosesNoAcknowledgedMessage_AndSendsNoReplyTwice()
    {
        var (botId, phoneNumberId) = await ReplyingBotAsync("crash-owner");

        // 120 customers write; every webhook must be acknowledged.
        var phones = Enumerable.Range(0, Customers).Select(i => "4916" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        using (var gate = new SemaphoreSlim(16))
        {
            await Task.WhenAll(phones.Select(async phone =>
            {
                await gate.WaitAsync();
                try
                {
                    await InboundAsync(phoneNumberId, phone);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        // Replies leave at 5/s: most are still waiting for their slot now. The machine dies.
        await _scene.System.KillSiloAsync(0);
        var beforeKill = await SendsPerRecipientAsync(phoneNumberId);
        Assert.True(beforeKill.Values.Sum() < Customers, "every reply went out before the kill: the test proves nothing");

        _scene.System.StartSilo();
        await using var db = await _scene.System.OpenDatabaseAsync();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        long completed = 0;
        while (DateTime.UtcNow < until)
        {
            completed = await ScalarAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId);
            if (completed == Customers)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.Equal(Customers, completed);
        Assert.Equal(Customers, await ScalarAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b", botId));
        Assert.Equal(Customers, await ScalarAsync(db, "SELECT count(DISTINCT contact_wa_id) FROM flow_executions WHERE bot_id = @b", botId));

        var sends = await SendsPerRecipientAsync(phoneNumberId);
        var outbox = await CrashScene.OutboxAsync(db, botId);
        Assert.Equal(Customers, outbox.Count);
        var inDoubt = outbox.Where(o => o.Value == "in_doubt").Select(o => o.Key).ToHashSet();
        foreach (var phone in phones)
        {
            var count = sends.GetValueOrDefault(phone);
            Assert.True(count <= 1, $"{phone} got {count} replies");
            if (!inDoubt.Contains(phone))
            {
                Assert.True(count == 1, $"{phone}: outbox {outbox.GetValueOrDefault(phone)}, {count} replies at the fake");
                Assert.Equal("sent", outbox[phone]);
            }
        }

        // Only what was in flight at the kill can be in doubt: at most a second's worth of sends at this rate.
        Assert.True(inDoubt.Count <= Rate, $"{inDoubt.Count} in doubt");
        foreach (var phone in inDoubt)
        {
            var log = await ScalarTextAsync(db, """
                SELECT string_agg(l.event, ',' ORDER BY l.seq) FROM flow_execution_logs l JOIN flow_executions e ON e.id = l.execution_id
                WHERE e.bot_id = @b AND e.contact_wa_id = @w
                """, botId, phone);
            Assert.Contains("message_in_doubt", log, StringComparison.Ordinal);
        }
    }

    /// <summary>A bot on a fresh number whose default flow replies once (one send_message node) and ends.</summary>
    private async Task<(long BotId, string PhoneNumberId)> ReplyingBotAsync(string ownerName)
    {
        var http = _scene.System.Http;
        var owner = (await http.NewUserAsync(ownerName)).Token;
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await http.CreateBotAsync(owner, new
        {
            name = "Crash bot",
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phoneNumberId,
            whatsapp_access_token = AccessToken,
        });
        var flowId = await http.CreateFlowAsync(owner, botId, "Reply once");
        var reply = await http.CreateNodeAsync(owner, flowId, "send_message", BotScenario.Text("Thanks, {{contact.first_name}}!"));
        var (entry, body, _) = await http.PutJsonAsync($"/bots/flows/{flowId}", new { entry_node_id = reply }, owner);
        Assert.True(entry == HttpStatusCode.OK, $"entry: {entry} {body?.ToJsonString()}");
        var (published, publishedBody, _) = await http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, owner);
        Assert.True(published == HttpStatusCode.Created, $"publish: {published} {publishedBody?.ToJsonString()}");
        var (updated, bot, _) = await http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, owner);
        Assert.True(updated == HttpStatusCode.OK, $"default flow: {updated} {bot?.ToJsonString()}");

        return (botId, phoneNumberId);
    }

    [Fact]
    public async Task AKillDuringASendHeldAtMeta_LeavesThatMessageInDoubt_NamedInTheLog_AndNeverResent()
    {
        var (botId, phoneNumberId) = await ReplyingBotAsync("held-kill-owner");
        var phone = "4917" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        await FakeAsync("/_fake/hold-sends", new { count = 1 });
        await InboundAsync(phoneNumberId, phone);
        await UntilAsync(async () => JsonNode.Parse(await _scene.Fake.GetStringAsync(new Uri("/_fake/held-sends", UriKind.Relative)))!["held"]!.GetValue<int>() == 1,
            "the reply to reach the fake and be held there");

        // Meta has the message; its answer never reaches the silo, which dies with the send in flight.
        await _scene.System.KillSiloAsync(0);
        await FakeAsync("/_fake/release-sends", new { });
        _scene.System.StartSilo();

        // The step is re-entered from its row (the sweeper finds it running): its outbox row says "sending", so the send is
        // in doubt — not attempted again — and the flow goes on to its end.
        await using var db = await _scene.System.OpenDatabaseAsync();
        await UntilAsync(async () => await ScalarAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = @b AND status = 'completed'", botId) == 1,
            "the execution to complete after the restart");
        Assert.Equal("in_doubt", Assert.Single(await CrashScene.OutboxAsync(db, botId)).Value);
        var log = await ScalarTextAsync(db, """
            SELECT string_agg(l.event, ',' ORDER BY l.seq) FROM flow_execution_logs l JOIN flow_executions e ON e.id = l.execution_id
            WHERE e.bot_id = @b AND e.contact_wa_id = @w
            """, botId, phone);
        Assert.Contains("message_in_doubt", log, StringComparison.Ordinal);

        // Exactly the one attempt reached Meta, before the kill.
        var requests = JsonNode.Parse(await _scene.Fake.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=100", UriKind.Relative)))!["requests"]!
            .AsArray().Count(r => r!["to"]?.GetValue<string>() == phone);
        Assert.Equal(1, requests);
    }

    private async Task FakeAsync(string path, object body)
    {
        using var response = await _scene.Fake.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"{what} did not happen within 3 minutes");
            await Task.Delay(250);
        }
    }

    private async Task InboundAsync(string phoneNumberId, string phone)
    {
        var message = new JsonObject
        {
            ["webhook_url"] = new Uri(_scene.System.BaseAddress, "/whatsapp/webhook").ToString(),
            ["app_secret"] = AppSecret,
            ["phone_number_id"] = phoneNumberId,
            ["from"] = phone,
            ["profile_name"] = "Customer " + phone[^3..],
            ["text"] = "hello",
        };
        using var response = await _scene.Fake.PostAsJsonAsync("/_fake/inbound", message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {text}");
        var statuses = JsonNode.Parse(text)!["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
        Assert.True(statuses is [200], $"{phone}: the webhook was not acknowledged: [{string.Join(", ", statuses)}]");
    }

    /// <summary>Successful sends the fake accepted, per recipient.</summary>
    private async Task<Dictionary<string, int>> SendsPerRecipientAsync(string phoneNumberId)
    {
        var text = await _scene.Fake.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=10000", UriKind.Relative));
        return JsonNode.Parse(text)!["requests"]!.AsArray()
            .Where(r => r!["http_status"]?.GetValue<int>() == 200 && r["to"] is not null)
            .GroupBy(r => r!["to"]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => g.Count());
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql, long botId)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("b", botId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> ScalarTextAsync(NpgsqlConnection db, string sql, long botId, string phone)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("b", botId);
        command.Parameters.AddWithValue("w", phone);
        return (await command.ExecuteScalarAsync()) as string ?? "";
    }
}
