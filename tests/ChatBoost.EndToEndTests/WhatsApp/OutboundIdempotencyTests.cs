using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;

namespace ChatBoost.EndToEndTests.WhatsApp;

/// <summary>
/// The send API's idempotency, end to end (real silo and API, the fake Graph API): an Idempotency-Key sends once and
/// answers the same every time; a send whose answer never came in time is in doubt, never resent, and resolved by the
/// status webhook that echoes its client id.
/// </summary>
[Collection(WhatsAppSendCollection.Name)]
public class OutboundIdempotencyTests(WhatsAppSystemFixture fixture)
{
    private const string AccessToken = "EAAB-test-access-token-0002";
    private const string AppSecret = "outbound-idempotency-app-secret";
    private HttpClient Http => fixture.System.Http;

    [Fact]
    public async Task The_same_idempotency_key_twice_is_one_request_at_meta_and_the_same_answer()
    {
        var (botId, phone) = await NewBotAsync();

        var first = await SendTemplateAsync(botId, "15550007001", "order-1234/confirmation");
        var second = await SendTemplateAsync(botId, "15550007001", "order-1234/confirmation");

        Assert.True(first.Status == HttpStatusCode.OK, first.Body?.ToJsonString());
        Assert.True(second.Status == HttpStatusCode.OK, second.Body?.ToJsonString());
        Assert.Equal(first.Body!["message_id"]!.GetValue<string>(), second.Body!["message_id"]!.GetValue<string>());
        Assert.Equal(first.Body["wa_message_id"]!.GetValue<string>(), second.Body["wa_message_id"]!.GetValue<string>());
        Assert.Single(await FakeRequestsAsync(phone));

        // Another key, or the same key for another contact, is another send.
        Assert.Equal(HttpStatusCode.OK, (await SendTemplateAsync(botId, "15550007001", "order-1235/confirmation")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendTemplateAsync(botId, "15550007002", "order-1234/confirmation")).Status);
        Assert.Equal(3, (await FakeRequestsAsync(phone)).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tinside")]
    public async Task A_malformed_idempotency_key_is_refused_before_anything_is_sent(string key)
    {
        var (botId, phone) = await NewBotAsync();

        var response = await SendTemplateAsync(botId, "15550007003", key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Empty(await FakeRequestsAsync(phone));
        var tooLong = await SendTemplateAsync(botId, "15550007003", new string('k', 201));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.Status);
    }

    [Fact]
    public async Task A_send_whose_answer_times_out_is_in_doubt_never_resent_and_resolved_by_its_status_webhook()
    {
        var (botId, phone) = await NewBotAsync();
        const string to = "15550007004";
        await FakePostAsync("/_fake/hold-sends", new { count = 1 });
        (HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) first;
        try
        {
            // Meta (the fake) accepts it but its answer comes after the client's attempt timeout.
            first = await SendTemplateAsync(botId, to, "held-1");
            Assert.True(first.Status == HttpStatusCode.Accepted, first.Body?.ToJsonString());
            Assert.Equal("in_doubt", first.Body!["status"]!.GetValue<string>());

            // The client retries with its key: the same answer, no second request.
            var again = await SendTemplateAsync(botId, to, "held-1");
            Assert.Equal(HttpStatusCode.Accepted, again.Status);
            Assert.Equal(first.Body["message_id"]!.GetValue<string>(), again.Body!["message_id"]!.GetValue<string>());
        }
        finally
        {
            await FakePostAsync("/_fake/release-sends", new { });
        }

        var clientId = Guid.Parse(first.Body!["message_id"]!.GetValue<string>());
        Assert.Equal("in_doubt", await StatusOfAsync(clientId));
        var request = Assert.Single(await WaitForRequestsAsync(phone, 1));
        Assert.Equal(clientId.ToString("D"), request!["body"]!["biz_opaque_callback_data"]!.GetValue<string>());
        var wamid = request["response"]!["messages"]![0]!["id"]!.GetValue<string>();

        // Meta's status webhook echoes the client id: the in-doubt send learns its wamid.
        await FakePostAsync("/_fake/status", new
        {
            webhook_url = new Uri(fixture.System.BaseAddress, "/whatsapp/webhook").ToString(),
            app_secret = AppSecret,
            phone_number_id = phone,
            wamid,
            recipient_id = to,
            status = "delivered",
        });

        Assert.Equal("delivered", await StatusOfAsync(clientId));
        var resolved = await SendTemplateAsync(botId, to, "held-1");
        Assert.Equal(HttpStatusCode.OK, resolved.Status);
        Assert.Equal(wamid, resolved.Body!["wa_message_id"]!.GetValue<string>());
        Assert.Single(await FakeRequestsAsync(phone));
    }

    private async Task<(long BotId, string PhoneNumberId)> NewBotAsync()
    {
        var phone = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var (status, bot, _) = await Http.PostJsonAsync("/bots/", new
        {
            name = "Idempotent bot",
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phone,
            whatsapp_access_token = AccessToken,
            whatsapp_app_secret = AppSecret,
        }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.Created, bot?.ToJsonString());
        return (bot!["id"]!.GetValue<long>(), phone);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendTemplateAsync(long botId, string to, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/whatsapp/send/template?bot_id={botId}")
        {
            Content = JsonContent.Create(new { to, template_name = "hello_world", language_code = "en_US" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fixture.OwnerToken);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private async Task FakePostAsync(string path, object body)
    {
        using var response = await fixture.Fake.PostAsync(path, JsonContent.Create(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonArray> FakeRequestsAsync(string phone)
    {
        var text = await fixture.Fake.GetStringAsync($"/_fake/requests?phone_number_id={phone}&limit=10000");
        return JsonNode.Parse(text)!["requests"]!.AsArray();
    }

    /// <summary>The fake records a held send when it answers it, just after the release: wait for that event.</summary>
    private async Task<JsonArray> WaitForRequestsAsync(string phone, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var requests = await FakeRequestsAsync(phone);
            if (requests.Count >= count)
            {
                return requests;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<string> StatusOfAsync(Guid clientMessageId)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT status FROM messages WHERE client_message_id = @id", db);
        cmd.Parameters.AddWithValue("id", clientMessageId);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
