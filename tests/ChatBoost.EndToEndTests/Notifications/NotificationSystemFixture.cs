using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// A system for the notification tests: the fake Graph API in-process (it signs status webhooks), WHATSAPP_APP_SECRET
/// set, a platform administrator, and the per-user observer renewed every <see cref="ResubscribeSeconds"/> (2 s here, so
/// a lost subscription heals quickly).
/// One organization with a bot; <see cref="FailDeliveryAsync"/> makes Meta report a failed delivery of one of its messages.
/// </summary>
public class NotificationSystemFixture : IAsyncLifetime
{
    public const string AppSecret = "notification-tests-app-secret";
    public const string AdminEmail = "notifications-admin@e2e.test";
    public const string BotAccessToken = "notified-bot-token";

    private ChatBoostSystem? _system;
    private WebApplication? _fake;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public HttpClient Fake { get; private set; } = null!;

    public (long Id, string Email, string Token) Owner { get; private set; }

    public string AdminToken { get; private set; } = "";

    public long BotId { get; private set; }

    public long OrganizationId { get; private set; }

    public string PhoneNumberId { get; } = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(global::System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How often the API's per-user observer renews its subscription and checks the user.</summary>
    protected virtual int ResubscribeSeconds => 2;

    /// <summary>How many API processes the system runs (<see cref="ChatBoostSystem.ApiAddresses"/>).</summary>
    protected virtual int Apis => 1;

    /// <summary>Environment variables for the silos only (none here; the mail tests' SMTP sink).</summary>
    protected virtual IReadOnlyDictionary<string, string?>? SiloEnvironment => null;

    public virtual async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync();
        Fake = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = AppSecret,
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["ADMIN_EMAILS"] = AdminEmail,
            ["NOTIFICATION_RESUBSCRIBE_SECONDS"] = ResubscribeSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        }, apis: Apis, siloEnvironment: SiloEnvironment);
        AdminToken = await System.Http.RegisterVerifiedAsync(AdminEmail);
        Owner = await System.Http.NewUserAsync("notified-owner");
        var (status, _, _) = await System.Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences", new { coalesce = false }, Owner.Token));
        Assert.Equal(HttpStatusCode.OK, status);
        BotId = await System.Http.CreateBotAsync(Owner.Token, new { name = "Notified bot", whatsapp_phone_number_id = PhoneNumberId, whatsapp_access_token = BotAccessToken });
        await using var db = await System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT organization_id FROM bots WHERE id = @id", db);
        query.Parameters.AddWithValue("id", BotId);
        OrganizationId = (long)(await query.ExecuteScalarAsync())!;
    }

    /// <summary>An outbound message of the bot that Meta then reports failed (a signed status webhook through the API).</summary>
    public async Task FailDeliveryAsync(string recipient = "4915112345678")
    {
        var wamid = "wamid.notify-" + Guid.NewGuid().ToString("N");
        await using (var db = await System.OpenDatabaseAsync())
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text,
                                      status, status_rank, sent_at, client_message_id)
                VALUES (@b, @o, @r, 'outbound', @w, 'text', 'hello', 'sent', 1, now(), gen_random_uuid())
                """,
                db);
            insert.Parameters.AddWithValue("b", BotId);
            insert.Parameters.AddWithValue("o", OrganizationId);
            insert.Parameters.AddWithValue("r", recipient);
            insert.Parameters.AddWithValue("w", wamid);
            await insert.ExecuteNonQueryAsync();
        }

        var request = new JsonObject
        {
            ["webhook_url"] = new Uri(System.BaseAddress, "/whatsapp/webhook").ToString(),
            ["app_secret"] = AppSecret,
            ["phone_number_id"] = PhoneNumberId,
            ["recipient_id"] = recipient,
            ["wamid"] = wamid,
            ["statuses"] = new JsonArray("failed"),
            ["error"] = new JsonObject { ["code"] = 131026, ["title"] = "Message undeliverable" },
        };
        using var response = await Fake.PostAsJsonAsync("/_fake/status", request);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, $"/_fake/status: {response.StatusCode}");
        Assert.Equal(200, body!["results"]![0]!["http_status"]!.GetValue<int>());
    }

    /// <summary>
    /// A test notification for the token's user, retried while the cluster answers 503 (after a crash, until the dead silo is
    /// declared dead: the same patience as the crash-recovery tests); its id.
    /// </summary>
    public async Task<long> TestNotificationAsync(string token, string title, string? body = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var (status, created, _) = await System.Http.PostJsonAsync("/notifications/test", new { title, body }, token);
            if (status == HttpStatusCode.Created)
            {
                return created!["id"]!.GetValue<long>();
            }

            Assert.True(status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline, $"POST /notifications/test: {status} {created?.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Fake?.Dispose();
        if (_fake is not null)
        {
            await _fake.StopAsync();
            await _fake.DisposeAsync();
        }

        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}
