using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.FakeGraphApi;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace ChatBoost.EndToEndTests.Cluster;

/// <summary>
/// The fault suite's system: 3 silos and 2 APIs (<see cref="ChatBoostSystem"/>), the fake Graph API in process, and
/// <see cref="Bots"/> bots, each on its own number with a published default flow that replies once — the same set-up as
/// <c>CrashRecoveryTests</c>. The fake does not enforce Meta's 24-hour window: the load driver posts to the APIs itself
/// (not through <c>/_fake/inbound</c>, which would open the window), and a reply outside the window would be refused
/// with 131047 and never counted.
/// </summary>
public sealed class ClusterScene : IAsyncDisposable
{
    public const string AppSecret = "cluster-suite-app-secret";
    private const string AccessToken = "EAAB-cluster-suite-token-0001";
    private const int Bots = 4;

    private readonly WebApplication _fake;
    private readonly List<long> _botIds = [];
    private readonly List<string> _phoneNumberIds = [];

    private ClusterScene(WebApplication fake, HttpClient fakeHttp, ChatBoostSystem system)
    {
        _fake = fake;
        FakeHttp = fakeHttp;
        System = system;
    }

    public ChatBoostSystem System { get; }

    public HttpClient FakeHttp { get; }

    public IReadOnlyList<string> PhoneNumberIds => _phoneNumberIds;

    public IReadOnlyList<long> BotIds => _botIds;

    /// <param name="redis">Another Redis than the test environment's (a scenario that stops it).</param>
    /// <param name="postgresServer">Another PostgreSQL server (a scenario that restarts it).</param>
    /// <param name="settings">More environment variables for every process (a scenario's own limits).</param>
    public static async Task<ClusterScene> StartAsync(
        int silos = 3, int apis = 2, string? redis = null, string? postgresServer = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var fake = FakeGraphApiApp.Build([
            "--urls", "http://127.0.0.1:0", "--FAKE_GRAPH_ANY_PHONE_NUMBER=true", "--FAKE_GRAPH_ENFORCE_WINDOW=false",
            "--FAKE_GRAPH_RATE_PER_SECOND=1000", "--FAKE_GRAPH_REQUEST_LOG_CAPACITY=100000",
        ]);
        await fake.StartAsync();
        var fakeHttp = new HttpClient { BaseAddress = new Uri(fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        var environment = new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = AppSecret,
            ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = "cluster-suite-verify",
            ["WHATSAPP_API_BASE_URL"] = fake.Urls.First(),
        };
        if (redis is not null)
        {
            environment["REDIS_URL"] = redis;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        ChatBoostSystem system;
        try
        {
            system = await ChatBoostSystem.StartAsync(silos, environment, apis, postgresServer);
        }
        catch
        {
            fakeHttp.Dispose();
            await fake.DisposeAsync();
            throw;
        }

        var scene = new ClusterScene(fake, fakeHttp, system);
        try
        {
            var owner = (await system.Http.NewUserAsync("cluster-owner")).Token;
            for (var i = 0; i < Bots; i++)
            {
                await scene.AddReplyingBotAsync(owner);
            }
        }
        catch
        {
            await scene.DisposeAsync();
            throw;
        }

        return scene;
    }

    public WebhookLoadDriver Driver(int perSecond = 10, TimeSpan? retryWindow = null) =>
        new(System.ApiAddresses, PhoneNumberIds, AppSecret, perSecond, retryWindow ?? TimeSpan.FromSeconds(120));

    /// <summary>
    /// Waits until every acknowledged message's execution has ended (completed or failed), then counts: what was stored,
    /// what the fake Graph API accepted per customer, what is in doubt.
    /// </summary>
    public async Task<FaultCounts> CountAsync(string scenario, WebhookLoadDriver driver, string? note = null)
    {
        var messages = driver.Messages.ToList();
        var acknowledged = messages.Where(m => m.Acknowledged).ToList();
        await using var db = await System.OpenDatabaseAsync();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        long ended;
        do
        {
            ended = await ScalarAsync(db, "SELECT count(*) FROM flow_executions WHERE bot_id = ANY(@b) AND status IN ('completed', 'failed')");
            if (ended >= acknowledged.Count)
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < until);

        var stored = await WamidsAsync(db);
        var inDoubt = await InDoubtAsync(db);
        var replies = await RepliesPerCustomerAsync();
        var ackedFrom = acknowledged.Select(m => m.From).ToHashSet();
        var lost = acknowledged.Where(m => !stored.Contains(m.Wamid)).Select(m => m.Wamid).ToList();
        var unanswered = acknowledged.Where(m => replies.GetValueOrDefault(m.From) == 0 && !inDoubt.Contains(m.From)).Select(m => m.From).ToList();
        return new FaultCounts(scenario)
        {
            Sent = messages.Count,
            Acknowledged = acknowledged.Count,
            Responses503 = driver.Responses503,
            Other5xx = driver.ResponsesOther5xx,
            BrokenConnections = driver.BrokenConnections,
            Stored = messages.Count(m => stored.Contains(m.Wamid)),
            Replied = ackedFrom.Count(f => replies.GetValueOrDefault(f) > 0),
            Duplicates = replies.Values.Count(c => c > 1),
            InDoubt = inDoubt.Count,
            ExecutionsEnded = ended,
            LongestWebhook = messages.Count == 0 ? TimeSpan.Zero : messages.Max(m => m.LongestAttempt),
            AcknowledgedNotStored = lost,
            AcknowledgedUnanswered = unanswered,
            Note = note,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await System.DisposeAsync();
        FakeHttp.Dispose();
        await _fake.StopAsync();
        await _fake.DisposeAsync();
    }

    private async Task AddReplyingBotAsync(string owner)
    {
        var http = System.Http;
        var phoneNumberId = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var botId = await http.CreateReplyingBotAsync(owner, "Cluster bot " + (_botIds.Count + 1), phoneNumberId, AccessToken, "Thanks, {{contact.first_name}}!");
        _botIds.Add(botId);
        _phoneNumberIds.Add(phoneNumberId);
    }

    /// <summary>Successful sends the fake accepted, per recipient, over every bot's number.</summary>
    private async Task<Dictionary<string, int>> RepliesPerCustomerAsync()
    {
        var replies = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var phoneNumberId in _phoneNumberIds)
        {
            var text = await FakeHttp.GetStringAsync(new Uri($"/_fake/requests?phone_number_id={phoneNumberId}&limit=10000", UriKind.Relative));
            foreach (var request in JsonNode.Parse(text)!["requests"]!.AsArray())
            {
                if (request!["http_status"]?.GetValue<int>() == 200 && request["to"]?.GetValue<string>() is { } to)
                {
                    replies[to] = replies.GetValueOrDefault(to) + 1;
                }
            }
        }

        return replies;
    }

    private async Task<HashSet<string>> WamidsAsync(NpgsqlConnection db)
    {
        await using var query = new NpgsqlCommand("SELECT wa_message_id FROM messages WHERE bot_id = ANY(@b) AND direction = 'inbound'", db);
        query.Parameters.AddWithValue("b", _botIds.ToArray());
        var wamids = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            wamids.Add(reader.GetString(0));
        }

        return wamids;
    }

    private async Task<HashSet<string>> InDoubtAsync(NpgsqlConnection db)
    {
        await using var query = new NpgsqlCommand(
            "SELECT contact_wa_id FROM messages WHERE bot_id = ANY(@b) AND direction = 'outbound' AND status = 'in_doubt'", db);
        query.Parameters.AddWithValue("b", _botIds.ToArray());
        var contacts = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            contacts.Add(reader.GetString(0));
        }

        return contacts;
    }

    private async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("b", _botIds.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
