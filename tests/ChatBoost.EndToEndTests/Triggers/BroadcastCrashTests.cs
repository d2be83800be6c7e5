using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.FakeGraphApi;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace ChatBoost.EndToEndTests.Triggers;

/// <summary>
/// A broadcast to 2,000 contacts on a number paced at 20 sends/s (the fake Graph API allows 20 in any second), the silo
/// SIGKILLed halfway. After a new silo starts, the run completes from its cursor: every contact got exactly one message
/// and the fake never answered 130429. About 100 s by its rate.
/// </summary>
// FAILS as of 2026-12-02 (not diagnosed; docs/architecture.md, "Automation triggers"): kept out of CI's default filter by
// the Cluster category, so it runs with the whole fault suite (`bash scripts/test.sh --cluster-suite`) until it passes.
[Trait("Category", "Cluster")]
public sealed class BroadcastCrashTests : IAsyncLifetime
{
    private const string AccessToken = "EAAB-broadcast-crash-token-0001";
    private const int Rate = 20;
    private const int Contacts = 2_000;

    private WebApplication? _fake;
    private HttpClient _fakeHttp = null!;
    private ChatBoostSystem _system = null!;

    public async Task InitializeAsync()
    {
        _fake = FakeGraphApiApp.Build(["--urls", "http://127.0.0.1:0", $"--FAKE_GRAPH_RATE_PER_SECOND={Rate}", "--FAKE_GRAPH_ANY_PHONE_NUMBER=true"]);
        await _fake.StartAsync();
        _fakeHttp = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = "broadcast-crash-secret",
            ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = "broadcast-crash-verify",
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["WHATSAPP_RATE_PER_SECOND"] = Rate.ToString(CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        _fakeHttp.Dispose();
        if (_fake is not null)
        {
            await _fake.StopAsync();
            await _fake.DisposeAsync();
        }
    }

    [Fact]
    public async Task AKilledSiloResumesTheRun_EveryContactGetsExactlyOneMessage_AndTheNumberIsNeverThrottled()
    {
        var http = _system.Http;
        var owner = (await http.NewUserAsync("broadcast-owner")).Token;
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await Bots.BotScenario.CreateBotAsync(http, owner, new
        {
            name = "Broadcast bot",
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phoneNumberId,
            whatsapp_access_token = AccessToken,
        });
        var flowId = await Bots.BotScenario.CreateFlowAsync(http, owner, botId, "Spring sale");
        var node = await Bots.BotScenario.CreateNodeAsync(http, owner, flowId, "send_message",
            new { message_type = "template", content = new { template_name = "spring_sale", language_code = "en" } });
        var (entry, _, _) = await Bots.BotScenario.PutJsonAsync(http, $"/bots/flows/{flowId}", new { entry_node_id = node }, owner);
        Assert.Equal(HttpStatusCode.OK, entry);
        var (published, _, _) = await http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, owner);
        Assert.Equal(HttpStatusCode.Created, published);

        await using var db = await _system.OpenDatabaseAsync();
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO contacts (bot_id, organization_id, wa_id, created_at, inbound_cursor)
            SELECT @b, b.organization_id, '4930' || lpad(g::text, 8, '0'), now(), 0 FROM bots b, generate_series(1, @n) g WHERE b.id = @b
            """, db))
        {
            insert.Parameters.AddWithValue("b", botId);
            insert.Parameters.AddWithValue("n", Contacts);
            Assert.Equal(Contacts, await insert.ExecuteNonQueryAsync());
        }

        var (created, trigger, _) = await http.PostJsonAsync("/triggers/", new
        {
            name = "Spring sale",
            bot_id = botId,
            flow_id = flowId,
            trigger_type = "schedule",
            schedule_type = "once",
            schedule_time = "2099-01-01T09:00",
            schedule_timezone = "Europe/Berlin",
        }, owner);
        Assert.True(created == HttpStatusCode.Created, $"create trigger: {created} {trigger?.ToJsonString()}");
        var (started, run, _) = await http.PostJsonAsync($"/triggers/{trigger!["id"]!.GetValue<long>()}/runs", null, owner);
        Assert.True(started == HttpStatusCode.Created, $"run now: {started} {run?.ToJsonString()}");
        var runId = run!["id"]!.GetValue<long>();

        // Halfway: the machine dies.
        await WaitAsync(async () => (await SendsAsync(phoneNumberId)).Count >= Contacts / 2, TimeSpan.FromSeconds(120), "half the sends");
        await _system.KillSiloAsync(0);
        var beforeKill = (await SendsAsync(phoneNumberId)).Count;
        Assert.True(beforeKill < Contacts, "every message went out before the kill: the test proves nothing");

        _system.StartSilo();
        await WaitAsync(async () => (await SendsAsync(phoneNumberId)).Count >= Contacts
            && (await http.GetJsonAsync($"/triggers/runs/{runId}", owner)).Body?["status"]?.GetValue<string>() == "completed",
            TimeSpan.FromSeconds(150), "the run's end and every send");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a duplicate would arrive now

        var sends = await SendsAsync(phoneNumberId);
        Assert.DoesNotContain(sends, s => s.Code == 130429);
        var perRecipient = sends.Where(s => s.Status == 200).GroupBy(s => s.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Contacts, perRecipient.Count);
        Assert.All(perRecipient, p => Assert.True(p.Value == 1, $"{p.Key} got {p.Value} messages"));
        var (_, done, _) = await http.GetJsonAsync($"/triggers/runs/{runId}", owner);
        Assert.Equal(Contacts, done!["progress"]!["started"]!.GetValue<long>());
        Assert.Equal(Contacts, done["progress"]!["total"]!.GetValue<long>());
    }

    private async Task<List<(string To, int Status, int? Code)>> SendsAsync(string phoneNumberId)
    {
        var text = await _fakeHttp.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=10000", UriKind.Relative));
        return [.. JsonNode.Parse(text)!["requests"]!.AsArray()
            .Where(r => r!["path"]?.GetValue<string>()?.EndsWith("/messages", StringComparison.Ordinal) == true)
            .Select(r => (r!["to"]?.GetValue<string>() ?? "", r["http_status"]?.GetValue<int>() ?? 0, r["error_code"]?.GetValue<int?>()))];
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < until, $"no {what} within {timeout}");
            await Task.Delay(500);
        }
    }
}
