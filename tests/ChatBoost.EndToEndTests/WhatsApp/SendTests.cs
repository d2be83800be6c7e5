using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.WhatsApp;

/// <summary>
/// The real silo and API pointed (WHATSAPP_API_BASE_URL) at the fake Graph API running in the test process. The fake
/// (standing in for Meta) allows <see cref="Rate"/> sends per second per number in a strict sliding window; the system is
/// configured 10% lower (<see cref="ConfiguredRate"/>): the cluster-wide limiter spaces departures exactly, but arrivals
/// at Meta jitter (connection set-up, thread-pool scheduling, a caller that uses its reserved slot late), and with both at
/// exactly 50/s the fake answered a 130429 about once a second (the 51st request landing at +1000.2 ms: sub-millisecond
/// jitter against a strict window), each retried successfully, so every send still succeeded.
/// Retries are fast (50 ms base).
/// </summary>
public sealed class WhatsAppSystemFixture : IAsyncLifetime
{
    public const int Rate = 50;

    public const int ConfiguredRate = 45;

    private WebApplication? _fake;
    private ChatBoostSystem? _system;

    public ChatBoostSystem System => _system ?? throw new InvalidOperationException("Not started.");

    /// <summary>The fake's control API (<c>/_fake/…</c>).</summary>
    public HttpClient Fake { get; private set; } = null!;

    public string OwnerToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _fake = await InProcessFakeGraph.StartAsync(Rate);
        Fake = new HttpClient { BaseAddress = new Uri(_fake.Urls.First()) };
        _system = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
        {
            ["WHATSAPP_API_BASE_URL"] = _fake.Urls.First(),
            ["WHATSAPP_RATE_PER_SECOND"] = ConfiguredRate.ToString(CultureInfo.InvariantCulture),
            ["WhatsApp__RetryBaseDelay"] = "00:00:00.050",
            ["WhatsApp__RetryMaxDelay"] = "00:00:00.300",
            ["GRAIN_CALL_TIMEOUT_SECONDS"] = "30",
        });
        OwnerToken = (await System.Http.NewUserAsync("whatsapp-owner")).Token;
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
}

/// <summary>Runs alone (not in parallel with other collections): the rate test measures timing on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WhatsAppSendCollection : ICollectionFixture<WhatsAppSystemFixture>
{
    public const string Name = "whatsapp-send";
}

[Collection(WhatsAppSendCollection.Name)]
public class SendTests(WhatsAppSystemFixture fixture)
{
    private const string AccessToken = "EAAB-test-access-token-0001";
    private HttpClient Http => fixture.System.Http;

    private string Token => fixture.OwnerToken;

    [Fact]
    public async Task OutsideTheWindowATextIsRefusedBeforeAnyCallWhileATemplatePasses()
    {
        var (botId, phone) = await NewBotAsync();
        const string to = "15550000101";

        var text = await SendAsync(botId, "text", new { to, text = "Hello" });
        AssertProblem(HttpStatusCode.UnprocessableEntity, text);
        Assert.Contains("24-hour customer-service window", text.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await FakeRequestsAsync(phone));
        Assert.Equal(0, await CountRowsAsync(botId)); // refused before the outbox: nothing attempted, nothing recorded

        var template = await SendAsync(botId, "template", new { to, template_name = "hello_world", language_code = "en_US" });
        Assert.True(template.Status == HttpStatusCode.OK, template.Body?.ToJsonString());
        Assert.Equal("sent", template.Body!["status"]!.GetValue<string>());
        var wamid = template.Body["wa_message_id"]!.GetValue<string>();
        var requests = await FakeRequestsAsync(phone);
        Assert.Single(requests);
        Assert.Equal(200, requests[0]!["http_status"]!.GetValue<int>());

        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT status, wa_message_id, client_message_id FROM messages WHERE bot_id = @b", db);
        cmd.Parameters.AddWithValue("b", botId);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("sent", reader.GetString(0));
        Assert.Equal(wamid, reader.GetString(1));
        Assert.Equal(Guid.Parse(template.Body["message_id"]!.GetValue<string>()), reader.GetGuid(2));
    }

    [Fact]
    public async Task InsideTheWindowATextPasses()
    {
        var (botId, phone) = await NewBotAsync();
        const string to = "15550000202";
        // The contact grain reads the last inbound time on activation: the row is there before its first call.
        await InsertInboundAsync(botId, to, DateTimeOffset.UtcNow.AddHours(-1));
        await FakePostAsync("/_fake/customer-wrote", new { phone_number_id = phone, wa_id = to });

        var text = await SendAsync(botId, "text", new { to, text = "Thanks for writing!", preview_url = false });
        Assert.True(text.Status == HttpStatusCode.OK, text.Body?.ToJsonString());
        var requests = await FakeRequestsAsync(phone);
        Assert.Single(requests);
        Assert.Equal("Thanks for writing!", requests[0]!["body"]!["text"]!["body"]!.GetValue<string>());

        // An inbound message older than 24 hours does not open the window.
        const string stale = "15550000203";
        await InsertInboundAsync(botId, stale, DateTimeOffset.UtcNow.AddHours(-25));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "text", new { to = stale, text = "Late" }));
        Assert.Single(await FakeRequestsAsync(phone));
    }

    [Fact]
    public async Task ThroughputAndServerErrorsAreRetriedUntilSuccess()
    {
        var (botId, phone) = await NewBotAsync();
        await FakePostAsync("/_fake/fail-next", new { phone_number_id = phone, count = 2, code = 130429 });
        var first = await SendTemplateAsync(botId, "15550000301");
        Assert.True(first.Status == HttpStatusCode.OK, first.Body?.ToJsonString());
        var requests = await FakeRequestsAsync(phone);
        Assert.Equal([130429, 130429, 0], requests.Select(r => r!["error_code"]?.GetValue<int>() ?? 0));

        await FakePostAsync("/_fake/fail-next", new { phone_number_id = phone, count = 1, code = 131000, http_status = 503 });
        var second = await SendTemplateAsync(botId, "15550000301");
        Assert.True(second.Status == HttpStatusCode.OK, second.Body?.ToJsonString());
        requests = await FakeRequestsAsync(phone);
        Assert.Equal(5, requests.Count);
        Assert.Equal(503, requests[3]!["http_status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(131047)]
    [InlineData(131026)]
    public async Task PermanentErrorsAreNotRetried(int code)
    {
        var (botId, phone) = await NewBotAsync();
        await FakePostAsync("/_fake/fail-next", new { phone_number_id = phone, count = 1, code });
        var result = await SendTemplateAsync(botId, "15550000401");
        AssertProblem(HttpStatusCode.BadGateway, result);
        Assert.Equal(code, result.Body!["meta_code"]!.GetValue<int>());
        var messageId = Guid.Parse(result.Body["message_id"]!.GetValue<string>());
        Assert.Single(await FakeRequestsAsync(phone));

        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT status, error_code FROM messages WHERE client_message_id = @id", db);
        cmd.Parameters.AddWithValue("id", messageId);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("failed", reader.GetString(0));
        Assert.Equal(code, reader.GetInt32(1));
    }

    [Fact]
    public async Task AnExpiredTokenMarksTheCredentialsInvalidAndStopsSendingUntilTheTokenIsUpdated()
    {
        var (botId, phone) = await NewBotAsync();
        await FakePostAsync("/_fake/fail-next", new { phone_number_id = phone, count = 1, code = 190 });
        var rejected = await SendTemplateAsync(botId, "15550000501");
        AssertProblem(HttpStatusCode.BadGateway, rejected);
        Assert.Equal(190, rejected.Body!["meta_code"]!.GetValue<int>());
        Assert.Single(await FakeRequestsAsync(phone));

        var (_, bot, _) = await Http.GetJsonAsync($"/bots/{botId}", Token);
        Assert.True(bot!["credentials_invalid"]!.GetValue<bool>());
        Assert.Contains("190", bot["credentials_invalid_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, list, _) = await Http.GetJsonAsync("/bots/?limit=200", Token);
        Assert.True(list!.AsArray().Single(b => b!["id"]!.GetValue<long>() == botId)!["credentials_invalid"]!.GetValue<bool>());

        // Fail fast: no call to Meta.
        var next = await SendTemplateAsync(botId, "15550000502");
        AssertProblem(HttpStatusCode.Conflict, next);
        Assert.Contains("update the access token", next.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(await FakeRequestsAsync(phone));

        var (updated, updatedBot, _) = await Http.CallAsync(Json(HttpMethod.Put, $"/bots/{botId}", new { whatsapp_access_token = "EAAB-new-access-token-0002" }, Token));
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.False(updatedBot!["credentials_invalid"]!.GetValue<bool>());
        var again = await SendTemplateAsync(botId, "15550000502");
        Assert.True(again.Status == HttpStatusCode.OK, again.Body?.ToJsonString());

        Assert.DoesNotContain(fixture.System.RecordedResponses, r => r.Contains(AccessToken, StringComparison.Ordinal));
        Assert.DoesNotContain(AccessToken, fixture.System.AllLogs, StringComparison.Ordinal);
    }

    /// <summary>
    /// A burst of 500 template sends to 10 contacts of one number at once (11 s of pacing at 45/s, longer than a send may
    /// wait): every send answers 200, or 503 when its slot lies beyond the send deadline — and a 503 send never reaches
    /// Meta later, so a client's retry cannot duplicate it. The fake never answers 130429 and its log never holds more
    /// than 50 requests in any 1-second window.
    /// </summary>
    [Fact]
    public async Task ABurstToOneNumberNeverExceedsTheConfiguredRate()
    {
        // Warm-up on another number (JIT, pooled connections to the fake, grain activations): a cold start delays the
        // first sends past their reserved slots and then releases them together (see the report on pacing).
        var (warmBot, _) = await NewBotAsync();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendTemplateAsync(warmBot, "1555000" + (1000 + (i % 10)).ToString(CultureInfo.InvariantCulture))));

        var (botId, phone) = await NewBotAsync();
        const int burst = 500;
        var results = await Task.WhenAll(Enumerable.Range(0, burst).Select(i =>
            SendTemplateAsync(botId, "1555000" + (1000 + (i % 10)).ToString(CultureInfo.InvariantCulture))));
        // 200 sent, 503 not sent (no slot before the deadline), 202 in doubt (started in time, unanswered at the deadline).
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable or HttpStatusCode.Accepted, r.Body?.ToJsonString()));
        var sends = results.Count(r => r.Status == HttpStatusCode.OK);
        var inDoubt = results.Count(r => r.Status == HttpStatusCode.Accepted);
        Assert.True(sends >= 200, $"only {sends} of {burst} sends were accepted");

        // Every request Meta saw was answered 200 or "in doubt": a 503 never hides a message that went out.
        var requests = await FakeRequestsAsync(phone);
        var arrivals = requests.Select(r => DateTimeOffset.Parse(r!["time"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();
        var timeline = string.Join("\n", requests.Select((r, i) => $"{i} +{(arrivals[i] - arrivals[0]).TotalMilliseconds:F1} ms {r!["error_code"]}"));
        // When it fails, name the 503 answers whose message reached the fake (and the 503s that name no message at all).
        var atMeta = requests.Select(r => r!["body"]?["biz_opaque_callback_data"]?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var refused = results.Where(r => r.Status == HttpStatusCode.ServiceUnavailable).ToArray();
        var refusedButSent = refused.Where(r => r.Body?["message_id"]?.GetValue<string>() is { } id && atMeta.Contains(id))
            .Select(r => r.Body!.ToJsonString()).Take(5);
        var refusedAnonymously = refused.Count(r => r.Body?["message_id"] is null);
        Assert.True(requests.Count >= sends && requests.Count <= sends + inDoubt,
            "(index, arrival, error code):\n" + timeline + "\n" +
            $"{sends} sent, {inDoubt} in doubt, {refused.Length} refused ({refusedAnonymously} naming no message), {requests.Count} " +
            $"requests at the fake. Refused but at the fake: {string.Join(" | ", refusedButSent)}");
        Assert.DoesNotContain(requests, r => r!["error_code"]?.GetValue<int>() == 130429);
        var times = requests.Select(r => DateTimeOffset.Parse(r!["time"]!.GetValue<string>(), CultureInfo.InvariantCulture)).Order().ToArray();
        var busiest = 0;
        for (int start = 0, end = 0; start < times.Length; start++)
        {
            while (end < times.Length && times[end] - times[start] < TimeSpan.FromSeconds(1))
            {
                end++;
            }

            busiest = Math.Max(busiest, end - start);
        }

        Assert.True(busiest <= WhatsAppSystemFixture.Rate, $"{busiest} requests within one second");

        // Per contact, Meta saw exactly the sends that were recorded with their wamid. (These requests are concurrent, so they
        // have no order to keep; a send never holds the contact's turn, and sequential requests leave in their order.)
        var atFake = requests
            .GroupBy(r => r!["to"]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => g.Select(r => r!["response"]!["messages"]![0]!["id"]!.GetValue<string>()).ToList());
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT contact_wa_id, wa_message_id FROM messages WHERE bot_id = @b AND wa_message_id IS NOT NULL ORDER BY id", db);
        cmd.Parameters.AddWithValue("b", botId);
        var recorded = new Dictionary<string, List<string>>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                (recorded.TryGetValue(reader.GetString(0), out var list) ? list : recorded[reader.GetString(0)] = []).Add(reader.GetString(1));
            }
        }

        Assert.Equal(10, recorded.Count);
        foreach (var (contact, wamids) in recorded)
        {
            Assert.Equal(wamids.Order(StringComparer.Ordinal), atFake[contact].Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task HistoryPagesNewestFirstWithACursorAndFiltersByContact()
    {
        var (botId, _) = await NewBotAsync();
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var result = await SendTemplateAsync(botId, i % 2 == 0 ? "15550000601" : "15550000602");
            Assert.Equal(HttpStatusCode.OK, result.Status);
            sent.Add(result.Body!["message_id"]!.GetValue<string>());
        }

        sent.Reverse();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var (status, page, _) = await Http.GetJsonAsync($"/whatsapp/messages/{botId}?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), Token);
            Assert.Equal(HttpStatusCode.OK, status);
            var items = page!["items"]!.AsArray();
            Assert.True(items.Count <= 2);
            seen.AddRange(items.Select(m => m!["message_id"]!.GetValue<string>()));
            Assert.All(items, m => Assert.Equal("outbound", m!["direction"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        Assert.Equal(sent, seen);

        var (_, contact, _) = await Http.GetJsonAsync($"/whatsapp/messages/{botId}?contact=15550000602", Token);
        var contactItems = contact!["items"]!.AsArray();
        Assert.Equal(2, contactItems.Count);
        Assert.All(contactItems, m => Assert.Equal("15550000602", m!["contact"]!.GetValue<string>()));
        Assert.Equal("template", contactItems[0]!["type"]!.GetValue<string>());
        Assert.Equal("hello_world", contactItems[0]!["payload"]!["template"]!["name"]!.GetValue<string>());

        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/whatsapp/messages/{botId}?limit=201", Token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/whatsapp/messages/{botId}?limit=0", Token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync($"/whatsapp/messages/{botId}?cursor=not-a-cursor", Token));
    }

    [Fact]
    public async Task BadBodiesAndBotsThatCannotSendAreRefusedWithoutCallingMeta()
    {
        var (botId, phone) = await NewBotAsync();
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "template", new { to = "15550000701", template_name = "x" }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "text", new { to = "abc", text = "x" }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "media", new { to = "15550000701", media_type = "image" }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "interactive", new
        {
            to = "15550000701",
            type = "button",
            body = "Pick",
            buttons = new[] { new { id = "a", title = "A" }, new { id = "b", title = "B" }, new { id = "c", title = "C" }, new { id = "d", title = "D" } },
        }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await SendAsync(botId, "template", new { to = "15550000701", template_name = "x", language_code = "en", id = 5 }));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/whatsapp/send/template", new { to = "15550000701", template_name = "x", language_code = "en" }, Token));
        Assert.Empty(await FakeRequestsAsync(phone));

        var (_, bot, _) = await Http.PostJsonAsync("/bots/", new { name = "Not enabled", whatsapp_phone_number_id = NewPhoneNumberId(), whatsapp_access_token = AccessToken }, Token);
        AssertProblem(HttpStatusCode.Conflict, await SendTemplateAsync(bot!["id"]!.GetValue<long>(), "15550000701"));

        // Media and interactive reach Meta with Meta's shapes (inside the window).
        await InsertInboundAsync(botId, "15550000702", DateTimeOffset.UtcNow);
        await FakePostAsync("/_fake/customer-wrote", new { phone_number_id = phone, wa_id = "15550000702" });
        var media = await SendAsync(botId, "media", new { to = "15550000702", media_type = "document", link = "https://example.com/a.pdf", caption = "Invoice", filename = "a.pdf" });
        Assert.True(media.Status == HttpStatusCode.OK, media.Body?.ToJsonString());
        var list = await SendAsync(botId, "interactive", new
        {
            to = "15550000702",
            type = "list",
            body = "Choose",
            button_text = "Options",
            header = "Menu",
            footer = "Bye",
            sections = new[] { new { title = "S", rows = new[] { new { id = "r1", title = "One", description = "First" } } } },
        });
        Assert.True(list.Status == HttpStatusCode.OK, list.Body?.ToJsonString());
        var requests = await FakeRequestsAsync(phone);
        Assert.Equal("document", requests[0]!["body"]!["type"]!.GetValue<string>());
        Assert.Equal("list", requests[1]!["body"]!["interactive"]!["type"]!.GetValue<string>());
    }

    private static string NewPhoneNumberId() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);

    private async Task<(long BotId, string PhoneNumberId)> NewBotAsync()
    {
        var phone = NewPhoneNumberId();
        var (status, bot, _) = await Http.PostJsonAsync("/bots/", new
        {
            name = "WhatsApp bot",
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phone,
            whatsapp_access_token = AccessToken,
        }, Token);
        Assert.True(status == HttpStatusCode.Created, bot?.ToJsonString());
        return (bot!["id"]!.GetValue<long>(), phone);
    }

    private Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(long botId, string kind, object body) =>
        Http.PostJsonAsync($"/whatsapp/send/{kind}?bot_id={botId}", body, Token);

    private Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendTemplateAsync(long botId, string to) =>
        SendAsync(botId, "template", new { to, template_name = "hello_world", language_code = "en_US" });

    private async Task FakePostAsync(string path, object body)
    {
        using var response = await fixture.Fake.PostAsync(path, System.Net.Http.Json.JsonContent.Create(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonArray> FakeRequestsAsync(string phone)
    {
        var text = await fixture.Fake.GetStringAsync($"/_fake/requests?phone_number_id={phone}&limit=10000");
        return JsonNode.Parse(text)!["requests"]!.AsArray();
    }

    private async Task InsertInboundAsync(long botId, string waId, DateTimeOffset at)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, status, status_rank, wa_timestamp)
            SELECT @b, organization_id, @w, 'inbound', @id, 'text', 'hi', 'received', 0, @at FROM bots WHERE id = @b
            """, db);
        cmd.Parameters.AddWithValue("b", botId);
        cmd.Parameters.AddWithValue("w", waId);
        cmd.Parameters.AddWithValue("id", "wamid.test-" + Guid.NewGuid().ToString("N"));
        cmd.Parameters.AddWithValue("at", at);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    private async Task<long> CountRowsAsync(long botId)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM messages WHERE bot_id = @b", db);
        cmd.Parameters.AddWithValue("b", botId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
