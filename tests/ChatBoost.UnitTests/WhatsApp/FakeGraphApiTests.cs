using ChatBoost.WhatsApp;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.FakeGraphApi;
using ChatBoost.Grains.WhatsApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ChatBoost.UnitTests.WhatsApp;

/// <summary>Starts the fake Graph API in-process on a free port, plus a tiny webhook receiver for inbound posts.</summary>
public sealed class FakeGraphApiFixture : IAsyncLifetime
{
    public const int Rate = 5;
    public const string AppSecret = "fake-app-secret";
    private WebApplication? _fake;
    private WebApplication? _receiver;

    public HttpClient Client { get; private set; } = null!;

    public string ReceiverUrl { get; private set; } = "";

    public ConcurrentQueue<(byte[] Body, string? Signature)> Received { get; } = new();

    public async Task InitializeAsync()
    {
        _fake = FakeGraphApiApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--FAKE_GRAPH_RATE_PER_SECOND={Rate}",
            "--FAKE_GRAPH_TOKENS=token-one,token-two",
            "--FAKE_GRAPH_EXPIRED_TOKENS=token-old",
        ]);
        await _fake.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "token-one");

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/whatsapp/webhook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Received.Enqueue((body.ToArray(), request.Headers[WebhookSignature.HeaderName].FirstOrDefault()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
        ReceiverUrl = _receiver.Urls.First() + "/whatsapp/webhook";
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        foreach (var app in new[] { _fake, _receiver })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}

public class FakeGraphApiTests(FakeGraphApiFixture fixture) : IClassFixture<FakeGraphApiFixture>
{
    private readonly HttpClient _client = fixture.Client;

    private static string NewPhoneNumberId() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString();

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Text(string to, string body = "hello") =>
        $$$"""{"messaging_product":"whatsapp","recipient_type":"individual","to":"{{{to}}}","type":"text","text":{"body":"{{{body}}}"}}""";

    private static string Template(string to) =>
        $$$$"""{"messaging_product":"whatsapp","to":"{{{{to}}}}","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}""";

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, string json)
    {
        using var response = await _client.PostAsync(path, JsonBody(json));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(string phoneNumberId, string json) =>
        PostAsync($"/v22.0/{phoneNumberId}/messages", json);

    private async Task OpenWindowAsync(string phoneNumberId, string waId)
    {
        using var response = await _client.PostAsync("/_fake/customer-wrote", JsonBody($$$"""{"phone_number_id":"{{{phoneNumberId}}}","wa_id":"{{{waId}}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static int? ErrorCode(JsonObject body) => body["error"]?["code"]?.GetValue<int>();

    [Fact]
    public async Task HealthAnswers()
    {
        var body = await _client.GetStringAsync("/_fake/health");

        Assert.Contains("ok", body);
    }

    [Fact]
    public async Task SendingATextInsideTheWindowReturnsMetasSuccessShape()
    {
        var phone = NewPhoneNumberId();
        await OpenWindowAsync(phone, "15550001111");

        var (status, body) = await SendAsync(phone, Text("+1 555-000-1111"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("whatsapp", body["messaging_product"]!.GetValue<string>());
        Assert.Equal("+1 555-000-1111", body["contacts"]![0]!["input"]!.GetValue<string>());
        Assert.Equal("15550001111", body["contacts"]![0]!["wa_id"]!.GetValue<string>());
        Assert.StartsWith("wamid.", body["messages"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task OutsideTheWindowOnlyTemplatesPass()
    {
        var phone = NewPhoneNumberId();

        var (textStatus, textBody) = await SendAsync(phone, Text("15550002222"));
        var (templateStatus, templateBody) = await SendAsync(phone, Template("15550002222"));

        Assert.Equal(HttpStatusCode.BadRequest, textStatus);
        Assert.Equal(131047, ErrorCode(textBody));
        Assert.Equal(GraphErrorKind.OutsideCustomerWindow, GraphErrorClassifier.Classify(400, Encoding.UTF8.GetBytes(textBody.ToJsonString())));
        Assert.Equal(HttpStatusCode.OK, templateStatus);
        Assert.Equal("accepted", templateBody["messages"]![0]!["message_status"]!.GetValue<string>());

        await OpenWindowAsync(phone, "15550002222");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(phone, Text("15550002222"))).Status);
    }

    [Fact]
    public async Task ThroughputIsLimitedPerPhoneNumber()
    {
        var phone = NewPhoneNumberId();
        var other = NewPhoneNumberId();

        var results = new List<(HttpStatusCode Status, JsonObject Body)>();
        for (var i = 0; i <= FakeGraphApiFixture.Rate; i++)
        {
            results.Add(await SendAsync(phone, Template("15550003333")));
        }

        Assert.All(results.Take(FakeGraphApiFixture.Rate), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var refused = results[^1];
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(130429, ErrorCode(refused.Body));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(other, Template("15550003333"))).Status);

        await Task.Delay(TimeSpan.FromMilliseconds(1_100));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(phone, Template("15550003333"))).Status);
    }

    [Fact]
    public async Task InjectedFailuresHitTheNextSendsOnly()
    {
        var phone = NewPhoneNumberId();
        var (queued, _) = await PostAsync("/_fake/fail-next", $$$"""{"phone_number_id":"{{{phone}}}","count":2,"http_status":500,"code":131000}""");
        Assert.Equal(HttpStatusCode.OK, queued);

        using var first = await _client.PostAsync($"/v22.0/{phone}/messages", JsonBody(Template("15550004444")));
        var firstBody = await first.Content.ReadAsByteArrayAsync();
        var second = await SendAsync(phone, Template("15550004444"));
        var third = await SendAsync(phone, Template("15550004444"));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(GraphErrorKind.RetryableTransient, GraphErrorClassifier.Classify(500, firstBody));
        Assert.Equal((HttpStatusCode.InternalServerError, 131000), (second.Status, ErrorCode(second.Body)));
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task AnInjectedTokenErrorDefaultsToMetasStatus()
    {
        var phone = NewPhoneNumberId();
        await PostAsync("/_fake/fail-next", $$$"""{"phone_number_id":"{{{phone}}}","code":190}""");

        var (status, body) = await SendAsync(phone, Template("15550005555"));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(190, ErrorCode(body));
    }

    [Theory]
    [InlineData(null, 190)]
    [InlineData("token-old", 190)]
    [InlineData("token-unknown", 190)]
    public async Task BadTokensAreRefused(string? token, int code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v22.0/{NewPhoneNumberId()}/messages") { Content = JsonBody(Template("1555")) };
        request.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        using var client = new HttpClient { BaseAddress = _client.BaseAddress };
        using var response = await client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(code, ErrorCode(body));
        Assert.Equal(GraphErrorKind.TokenExpired, GraphErrorClassifier.Classify(401, Encoding.UTF8.GetBytes(body.ToJsonString())));
    }

    [Theory]
    [InlineData("""{"messaging_product":"whatsapp","type":"text","text":{"body":"hi"}}""", 100)]
    [InlineData("""{"to":"15550001111","type":"text","text":{"body":"hi"}}""", 100)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"carrier_pigeon"}""", 100)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"text","text":{}}""", 131008)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"image","image":{}}""", 131008)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"template","template":{"name":"x"}}""", 131008)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}},{"type":"reply","reply":{"id":"b","title":"B"}},{"type":"reply","reply":{"id":"c","title":"C"}},{"type":"reply","reply":{"id":"d","title":"D"}}]}}}""", 131009)]
    [InlineData("""{"messaging_product":"whatsapp","to":"15550001111","type":"interactive","interactive":{"type":"list","body":{"text":"Pick"},"action":{"button":"Menu","sections":[{"title":"S","rows":[{"id":"a","title":"A"},{"id":"a","title":"B"}]}]}}}""", 131009)]
    [InlineData("not json", 100)]
    [InlineData("""{"a":1,"a":2}""", 100)]
    public async Task InvalidBodiesGetMetaShapedErrors(string json, int code)
    {
        var (status, body) = await SendAsync(NewPhoneNumberId(), json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, ErrorCode(body));
        Assert.Equal("OAuthException", body["error"]!["type"]!.GetValue<string>());
        Assert.StartsWith($"(#{code})", body["error"]!["message"]!.GetValue<string>());
        Assert.Equal("whatsapp", body["error"]!["error_data"]!["messaging_product"]!.GetValue<string>());
        Assert.NotNull(body["error"]!["fbtrace_id"]);
    }

    [Fact]
    public async Task TextLongerThan4096IsRefused()
    {
        var phone = NewPhoneNumberId();
        await OpenWindowAsync(phone, "15550006666");

        var (status, body) = await SendAsync(phone, Text("15550006666", new string('a', 4097)));

        Assert.Equal((HttpStatusCode.BadRequest, 100), (status, ErrorCode(body)));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(phone, Text("15550006666", new string('a', 4096)))).Status);
    }

    [Fact]
    public async Task RequestsAreRecordedWithoutTheToken()
    {
        var phone = NewPhoneNumberId();
        await SendAsync(phone, Template("15550007777"));
        await SendAsync(phone, Text("15550007777"));
        await SendAsync(phone, Template("15550008888"));

        var log = JsonNode.Parse(await _client.GetStringAsync($"/_fake/requests?phone_number_id={phone}&to=15550007777"))!.AsObject();

        Assert.Equal(2, log["count"]!.GetValue<int>());
        var first = log["requests"]![0]!;
        Assert.Equal("POST", first["method"]!.GetValue<string>());
        Assert.Equal($"/v22.0/{phone}/messages", first["path"]!.GetValue<string>());
        Assert.True(first["authorization"]!["present"]!.GetValue<bool>());
        Assert.Equal("-one", first["authorization"]!["token_last4"]!.GetValue<string>());
        Assert.Equal("hello_world", first["body"]!["template"]!["name"]!.GetValue<string>());
        Assert.Equal(200, first["http_status"]!.GetValue<int>());
        Assert.Equal(131047, log["requests"]![1]!["error_code"]!.GetValue<int>());
        Assert.DoesNotContain("token-one", log.ToJsonString());

        using var cleared = await _client.DeleteAsync("/_fake/requests");
        var after = JsonNode.Parse(await _client.GetStringAsync($"/_fake/requests?phone_number_id={phone}"))!;
        Assert.Equal(0, after["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task InboundMessagesArriveSignedAndParseable()
    {
        while (fixture.Received.TryDequeue(out _))
        {
        }

        var phone = NewPhoneNumberId();
        var (status, result) = await PostAsync("/_fake/inbound", $$$"""
            {"webhook_url":"{{{fixture.ReceiverUrl}}}","app_secret":"{{{FakeGraphApiFixture.AppSecret}}}","phone_number_id":"{{{phone}}}",
             "from":"15550009999","profile_name":"Ann","type":"interactive","interactive":{"button_reply":{"id":"yes","title":"Yes"}},"duplicates":2}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([200, 200], result["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()));
        var wamid = result["wamid"]!.GetValue<string>();
        Assert.Equal(2, fixture.Received.Count);
        foreach (var (body, signature) in fixture.Received)
        {
            Assert.True(WebhookSignature.IsValid(body, signature, FakeGraphApiFixture.AppSecret));
            var message = WebhookPayloadParser.Parse(body).Batches.Single().Messages.Single();
            Assert.Equal((wamid, "15550009999", "Ann", "Yes", "yes"), (message.WaMessageId, message.From, message.ProfileName, message.Text, message.ReplyId));
        }

        // The inbound message opened the customer window for free-form replies.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(phone, Text("15550009999"))).Status);
    }

    [Fact]
    public async Task InboundMediaIsDownloadableAndRawMessagesPassThrough()
    {
        while (fixture.Received.TryDequeue(out _))
        {
        }

        var target = $$$"""
            "webhook_url":"{{{fixture.ReceiverUrl}}}","app_secret":"{{{FakeGraphApiFixture.AppSecret}}}","phone_number_id":"{{{NewPhoneNumberId()}}}","from":"15550001234"
            """;
        await PostAsync("/_fake/inbound", "{" + target + ""","type":"image","image":{"caption":"Look"}}""");
        await PostAsync("/_fake/inbound", "{" + target + ""","message":{"type":"hologram","hologram":{"depth":3}},"context_wamid":"wamid.ours"}""");

        var messages = fixture.Received.Select(r => WebhookPayloadParser.Parse(r.Body).Batches.Single().Messages.Single()).ToList();
        Assert.Equal(["image", "hologram"], messages.Select(m => m.Type));
        Assert.Equal("Look", messages[0].Text);
        var lookup = JsonNode.Parse(await _client.GetStringAsync($"/v22.0/{messages[0].Media!.Id}"))!;
        Assert.Equal("image/jpeg", lookup["mime_type"]!.GetValue<string>());
        Assert.Contains("\"depth\":3", messages[1].RawJson);
        Assert.Equal("wamid.ours", messages[1].ContextMessageId);
    }

    [Fact]
    public async Task StatusesArriveInTheOrderGiven()
    {
        while (fixture.Received.TryDequeue(out _))
        {
        }

        var (status, _) = await PostAsync("/_fake/status", $$$"""
            {"webhook_url":"{{{fixture.ReceiverUrl}}}","app_secret":"{{{FakeGraphApiFixture.AppSecret}}}","phone_number_id":"{{{NewPhoneNumberId()}}}",
             "wamid":"wamid.abc","recipient_id":"15550001111","statuses":["read","delivered","failed"],"error":{"code":131026}}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        var updates = fixture.Received.Select(r => WebhookPayloadParser.Parse(r.Body).Batches.Single().Statuses.Single()).ToList();
        Assert.Equal([MessageDeliveryStatus.Read, MessageDeliveryStatus.Delivered, MessageDeliveryStatus.Failed], updates.Select(u => u.Status));
        Assert.All(updates, u => Assert.Equal("wamid.abc", u.WaMessageId));
        Assert.Equal(131026, updates[2].Errors.Single().Code);
    }

    [Fact]
    public async Task MediaCanBeUploadedLookedUpAndDownloaded()
    {
        var phone = NewPhoneNumberId();
        var bytes = Encoding.UTF8.GetBytes("%PDF-1.4 fake");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
            { new StringContent("application/pdf"), "type" },
            { new ByteArrayContent(bytes), "file", "a.pdf" },
        };

        using var upload = await _client.PostAsync($"/v22.0/{phone}/media", form);
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var lookup = JsonNode.Parse(await _client.GetStringAsync($"/v22.0/{id}"))!;
        var downloaded = await _client.GetByteArrayAsync(lookup["url"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("application/pdf", lookup["mime_type"]!.GetValue<string>());
        Assert.Equal(bytes.Length, lookup["file_size"]!.GetValue<int>());
        Assert.Equal(bytes, downloaded);

        using var unknown = await _client.GetAsync("/v22.0/123");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task APhoneNumberIsReachedOnlyByTheTokensItIsRegisteredFor_LikeMeta()
    {
        var phone = NewPhoneNumberId();
        using (var unregistered = await _client.GetAsync($"/v22.0/{phone}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unregistered.StatusCode);
        }

        using var registered = await _client.PostAsync("/_fake/phone-numbers", JsonBody($$$"""{"phone_number_id":"{{{phone}}}","access_tokens":["token-two"],"verified_name":"Acme"}"""));
        Assert.Equal(HttpStatusCode.NoContent, registered.StatusCode);

        // token-one (the client's) is valid but its business does not own the number: Meta's 100/33.
        using var other = await _client.GetAsync($"/v22.0/{phone}");
        var error = JsonNode.Parse(await other.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Equal((100, 33, "GraphMethodException"), (error["code"]!.GetValue<int>(), error["error_subcode"]!.GetValue<int>(), error["type"]!.GetValue<string>()));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v22.0/{phone}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-two");
        using var owner = await _client.SendAsync(request);
        var number = JsonNode.Parse(await owner.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal((phone, "Acme"), (number["id"]!.GetValue<string>(), number["verified_name"]!.GetValue<string>()));
    }
}
