using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Microsoft.AspNetCore.Builder;

namespace ChatBoost.EndToEndTests.WhatsApp;

/// <summary>
/// Its own system (the webhook defaults differ from the shared one's): the API and a silo with WHATSAPP_APP_SECRET and
/// WHATSAPP_WEBHOOK_VERIFY_TOKEN set, the operator's own number and token (<see cref="PlatformPhoneNumberId"/>,
/// <see cref="PlatformAccessToken"/>) with WHATSAPP_DEFAULT_CREDENTIALS=off, as in production; the fake Graph API
/// in-process as the Graph API (any unregistered number is reached by every token; registered ones only by theirs);
/// and one bot that owns <see cref="PhoneNumberId"/> and relies on the environment's app secret.
/// </summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    public const string EnvAppSecret = "env-app-secret-for-webhook-tests";
    public const string EnvVerifyToken = "env-verify-token-for-webhook-tests";
    public const string PlatformAccessToken = "platform-operator-access-token-0001";
    public const string BotAccessToken = "webhook-fixture-bot-access-token";

    private ChatBoostSystem? _system;
    private WebApplication? _fake;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public HttpClient Fake { get; private set; } = null!;

    public string WebhookUrl => new Uri(System.BaseAddress, "/whatsapp/webhook").ToString();

    public string OwnerToken { get; private set; } = "";

    public long BotId { get; private set; }

    public long OrganizationId { get; private set; }

    public string PhoneNumberId { get; } = NewPhoneNumberId();

    /// <summary>WHATSAPP_PHONE_NUMBER_ID: the operator's number, which no bot may claim.</summary>
    public string PlatformPhoneNumberId { get; } = NewPhoneNumberId();

    public static string NewPhoneNumberId() => Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(global::System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync();
        Fake = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = EnvAppSecret,
            ["WHATSAPP_WEBHOOK_VERIFY_TOKEN"] = EnvVerifyToken,
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["WHATSAPP_ACCESS_TOKEN"] = PlatformAccessToken,
            ["WHATSAPP_PHONE_NUMBER_ID"] = PlatformPhoneNumberId,
            ["WHATSAPP_DEFAULT_CREDENTIALS"] = "off",
        });
        var owner = await System.Http.NewUserAsync("webhook-owner");
        OwnerToken = owner.Token;
        BotId = await System.Http.CreateBotAsync(owner.Token, new { name = "Webhook bot", whatsapp_phone_number_id = PhoneNumberId, whatsapp_access_token = BotAccessToken });
        await using var db = await System.OpenDatabaseAsync();
        await using var query = new Npgsql.NpgsqlCommand("SELECT organization_id FROM bots WHERE id = @id", db);
        query.Parameters.AddWithValue("id", BotId);
        OrganizationId = (long)(await query.ExecuteScalarAsync())!;
    }

    /// <summary>POST /_fake/inbound: the fake builds, signs and posts an inbound webhook (defaults: this system, the env secret, the fixture's bot).</summary>
    public async Task<JsonObject> InboundAsync(JsonObject request)
    {
        request["webhook_url"] ??= WebhookUrl;
        request["app_secret"] ??= EnvAppSecret;
        request["phone_number_id"] ??= PhoneNumberId;
        request["from"] ??= "4915112345678";
        using var response = await Fake.PostAsJsonAsync("/_fake/inbound", request);
        Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>POST /_fake/status: one signed status webhook per status, in the order given.</summary>
    public async Task<JsonObject> StatusAsync(JsonObject request)
    {
        request["webhook_url"] ??= WebhookUrl;
        request["app_secret"] ??= EnvAppSecret;
        request["phone_number_id"] ??= PhoneNumberId;
        request["recipient_id"] ??= "4915112345678";
        using var response = await Fake.PostAsJsonAsync("/_fake/status", request);
        Assert.True(response.IsSuccessStatusCode, $"/_fake/status: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>POST /_fake/phone-numbers: from now on only <paramref name="accessTokens"/> reach this number.</summary>
    public async Task RegisterPhoneNumberAsync(string phoneNumberId, params string[] accessTokens)
    {
        using var response = await Fake.PostAsJsonAsync("/_fake/phone-numbers", new { phone_number_id = phoneNumberId, access_tokens = accessTokens });
        Assert.True(response.IsSuccessStatusCode, $"/_fake/phone-numbers: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The Graph API calls the fake recorded for one phone number id (sends; ownership look-ups are not listed).</summary>
    public async Task<JsonArray> FakeRequestsAsync(string phoneNumberId)
    {
        var body = await Fake.GetFromJsonAsync<JsonObject>($"/_fake/requests?phone_number_id={Uri.EscapeDataString(phoneNumberId)}");
        return body!["requests"]!.AsArray();
    }

    public static int[] HttpStatuses(JsonObject inbound) =>
        [.. inbound["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>())];

    public async Task DisposeAsync()
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

    public static void AssertOk(HttpStatusCode status, string context) => Assert.True(status == HttpStatusCode.OK, context);
}
