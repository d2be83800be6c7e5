using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.WhatsApp;
using Microsoft.AspNetCore.Builder;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Operations;

/// <summary>
/// One system (a silo and an API, each with its operations port, JSON logs) pointed at the fake Graph API in this
/// process, with a platform administrator, a plain user and a bot whose default flow answers every message with a text.
/// Webhooks are posted directly (signed here), so a test chooses their headers, such as <c>traceparent</c>.
/// </summary>
public sealed class OperationsFixture : IAsyncLifetime
{
    public const string AppSecret = "operations-app-secret";
    public const string AccessToken = "EAAB-operations-token-0001";
    public const string Reply = "Hello from the operations bot";
    public static readonly string AdminEmail = UniqueEmail("ops-admin");

    private WebApplication? _fake;
    private ChatBoostSystem? _system;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    public HttpClient Fake { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public string UserToken { get; private set; } = "";

    public string PhoneNumberId { get; } = Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync();
        Fake = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_APP_SECRET"] = AppSecret,
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["ADMIN_EMAILS"] = AdminEmail,
            ["LOG_FORMAT"] = "json",
        });

        var http = System.Http;
        AdminToken = await http.RegisterVerifiedAsync(AdminEmail);
        UserToken = (await http.NewUserAsync("ops-user")).Token;
        await http.CreateReplyingBotAsync(UserToken, "Operations bot", PhoneNumberId, AccessToken, Reply);
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        Fake?.Dispose();
        if (_fake is not null)
        {
            await _fake.StopAsync();
            await _fake.DisposeAsync();
        }
    }

    /// <summary>A Meta delivery of one text message from <paramref name="from"/> to <paramref name="phoneNumberId"/>.</summary>
    public static byte[] TextMessage(string phoneNumberId, string from, string text)
    {
        var payload = new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "1234567890",
                ["changes"] = new JsonArray(new JsonObject
                {
                    ["field"] = "messages",
                    ["value"] = new JsonObject
                    {
                        ["messaging_product"] = "whatsapp",
                        ["metadata"] = new JsonObject { ["display_phone_number"] = "15550001111", ["phone_number_id"] = phoneNumberId },
                        ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Ops" }, ["wa_id"] = from }),
                        ["messages"] = new JsonArray(new JsonObject
                        {
                            ["from"] = from,
                            ["id"] = "wamid.ops-" + Guid.NewGuid().ToString("N"),
                            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                            ["type"] = "text",
                            ["text"] = new JsonObject { ["body"] = text },
                        }),
                    },
                }),
            }),
        };
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }

    /// <summary>POST /whatsapp/webhook with the body signed by the platform's app secret, and any extra headers.</summary>
    public static HttpRequestMessage SignedWebhook(byte[] body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/whatsapp/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(body, AppSecret));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>The fake Graph API's recorded sends to <paramref name="to"/>.</summary>
    public async Task<JsonArray> SentToAsync(string to)
    {
        var answer = await Fake.GetFromJsonAsync<JsonObject>($"/_fake/requests?phone_number_id={PhoneNumberId}&to={to}");
        return answer!["requests"]!.AsArray();
    }

    /// <summary>The fake's 24-hour window for <paramref name="waId"/> opens (as /_fake/inbound would).</summary>
    public async Task CustomerWroteAsync(string waId)
    {
        using var response = await Fake.PostAsJsonAsync("/_fake/customer-wrote", new { phone_number_id = PhoneNumberId, wa_id = waId });
        Assert.True(response.IsSuccessStatusCode, $"/_fake/customer-wrote: {response.StatusCode}");
    }
}

[CollectionDefinition(Name)]
public sealed class OperationsCollection : ICollectionFixture<OperationsFixture>
{
    public const string Name = "Operations";
}
