using System.Globalization;
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
}
