using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// What the crash tests share: the fake Graph API in this process allowing <c>metaRate</c> sends per second (any phone
/// number), and a real system sending to it, paced at <c>pacedRate</c> (the same by default), verifying webhooks with
/// <see cref="AppSecret"/>, and with the sweeper's durable wake-up of a step a kill left running sooner than production's
/// 30 s + 20 s (the mechanism under test is the same, the wait shorter).
/// </summary>
public sealed class CrashScene : IAsyncDisposable
{
    private readonly WebApplication _fake;

    private CrashScene(WebApplication fake, ChatBoostSystem system, string appSecret)
    {
        _fake = fake;
        System = system;
        AppSecret = appSecret;
        Fake = new HttpClient { BaseAddress = new Uri(fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public ChatBoostSystem System { get; }

    /// <summary>The fake's control API (<c>/_fake/…</c>).</summary>
    public HttpClient Fake { get; }

    public string AppSecret { get; }

    public static async Task<CrashScene> StartAsync(string appSecret, int metaRate, int? pacedRate = null)
    {
        var fake = await InProcessFakeGraph.StartAsync(metaRate);
        try
        {
            var system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
            {
                ["WHATSAPP_APP_SECRET"] = appSecret,
                ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = appSecret + "-verify",
                ["WHATSAPP_API_BASE_URL"] = fake.Urls.First(),
                ["WHATSAPP_RATE_PER_SECOND"] = (pacedRate ?? metaRate).ToString(CultureInfo.InvariantCulture),
                ["ContactEvents__StaleRunningAfter"] = "00:00:05",
                ["ContactEvents__SweepInterval"] = "00:00:02",
            });
            return new CrashScene(fake, system, appSecret);
        }
        catch
        {
            await fake.StopAsync();
            await fake.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await System.DisposeAsync();
        Fake.Dispose();
        await _fake.StopAsync();
        await _fake.DisposeAsync();
    }

    /// <summary>The bot's outbound messages: each contact's status (a contact with two rows fails the test: a duplicate).</summary>
    public static async Task<Dictionary<string, string>> OutboxAsync(NpgsqlConnection db, long botId)
    {
        await using var query = new NpgsqlCommand("SELECT contact_wa_id, status FROM messages WHERE bot_id = @b AND direction = 'outbound'", db);
        query.Parameters.AddWithValue("b", botId);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.True(rows.TryAdd(reader.GetString(0), reader.GetString(1)), $"{reader.GetString(0)} has two outbound rows");
        }

        return rows;
    }

    /// <summary>A bot of a new owner on a fresh number whose default flow replies once (one send_message node) and ends.</summary>
    public async Task<(long BotId, string PhoneNumberId)> ReplyingBotAsync(string ownerName, string accessToken)
    {
        var http = System.Http;
        var owner = (await http.NewUserAsync(ownerName)).Token;
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await http.CreateReplyingBotAsync(owner, "Crash bot", phoneNumberId, accessToken, "Thanks, {{contact.first_name}}!");

        return (botId, phoneNumberId);
    }

    /// <summary>A customer's "hello", delivered by the fake as Meta would (signed with <see cref="AppSecret"/>): it must be acknowledged.</summary>
    public async Task InboundAsync(string phoneNumberId, string phone)
    {
        var message = new JsonObject
        {
            ["webhook_url"] = new Uri(System.BaseAddress, "/whatsapp/webhook").ToString(),
            ["app_secret"] = AppSecret,
            ["phone_number_id"] = phoneNumberId,
            ["from"] = phone,
            ["profile_name"] = "Customer " + phone[^3..],
            ["text"] = "hello",
        };
        using var response = await Fake.PostAsJsonAsync("/_fake/inbound", message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {text}");
        var statuses = JsonNode.Parse(text)!["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
        Assert.True(statuses is [200], $"{phone}: the webhook was not acknowledged: [{string.Join(", ", statuses)}]");
    }

    /// <summary>A POST to the fake's control API (hold or release sends), which must succeed.</summary>
    public async Task FakeAsync(string path, object body)
    {
        using var response = await Fake.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Successful sends the fake accepted from this number, per recipient.</summary>
    public async Task<Dictionary<string, int>> SendsPerRecipientAsync(string phoneNumberId)
    {
        var text = await Fake.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=10000", UriKind.Relative));
        return JsonNode.Parse(text)!["requests"]!.AsArray()
            .Where(r => r!["http_status"]?.GetValue<int>() == 200 && r["to"] is not null)
            .GroupBy(r => r!["to"]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>A count over the bot's rows (<c>@b</c> is its id).</summary>
    public static async Task<long> CountAsync(NpgsqlConnection db, string sql, long botId)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("b", botId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The events of the contact's execution logs on the bot, in order, comma-separated.</summary>
    public static async Task<string> ExecutionLogAsync(NpgsqlConnection db, long botId, string phone)
    {
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(l.event, ',' ORDER BY l.seq) FROM flow_execution_logs l JOIN flow_executions e ON e.id = l.execution_id
            WHERE e.bot_id = @b AND e.contact_wa_id = @w
            """, db);
        command.Parameters.AddWithValue("b", botId);
        command.Parameters.AddWithValue("w", phone);
        return (await command.ExecuteScalarAsync()) as string ?? "";
    }
}
