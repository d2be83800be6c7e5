using ChatBoost.WhatsApp;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;

namespace ChatBoost.EndToEndTests.WhatsApp;

/// <summary>
/// GET|POST /whatsapp/webhook end to end: the real API and silo processes, signed payloads built by the fake Graph API,
/// and the <c>messages</c> table as the proof of what was (not) stored.
/// </summary>
public class WebhookTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private HttpClient Http => fixture.System.Http;

    [Fact]
    public async Task VerificationEchoesTheChallengeOnlyForAKnownVerifyToken()
    {
        var ok = await Http.GetAsync(Verify(WebhookFixture.EnvVerifyToken, "challenge-123"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("text/plain", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal("challenge-123", await ok.Content.ReadAsStringAsync());

        // A bot's own verify token works at that bot's callback URL only (looked up by its SHA-256), and the environment's
        // token does not work there.
        var botToken = "bot-verify-token-" + Guid.NewGuid().ToString("N");
        var botId = await Http.CreateBotAsync(fixture.OwnerToken, new { name = "Verify bot", whatsapp_webhook_verify_token = botToken });
        var own = await Http.GetAsync(Verify(botToken, "c-own", botId));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("c-own", await own.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(Verify(botToken, "c"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(Verify(WebhookFixture.EnvVerifyToken, "c", botId))).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(Verify("wrong-token", "c"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(Verify(WebhookFixture.EnvVerifyToken[..^1], "c"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(
            new Uri($"/whatsapp/webhook?hub.mode=unsubscribe&hub.verify_token={WebhookFixture.EnvVerifyToken}&hub.challenge=c", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(new Uri("/whatsapp/webhook", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task TheSameWebhookDeliveredTenTimesConcurrentlyIsStoredOnce()
    {
        var result = await fixture.InboundAsync(new JsonObject { ["text"] = "hello ten times", ["duplicates"] = 10 });
        Assert.All(WebhookFixture.HttpStatuses(result), s => Assert.Equal(200, s));
        Assert.Equal(10, WebhookFixture.HttpStatuses(result).Length);
        var wamid = result["wamid"]!.GetValue<string>();
        Assert.Equal(1, await CountAsync(wamid));

        // And once more, later: still one row, acknowledged as a duplicate.
        var again = await PostSignedAsync(Encoding.UTF8.GetBytes(result["payload"]!.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(1, again.Body!["received"]!.GetValue<int>());
        Assert.Equal(1, again.Body!["duplicates"]!.GetValue<int>());
        Assert.Equal(1, await CountAsync(wamid));
    }

    public static TheoryData<string, string, string?> InboundTypes => new()
    {
        { "text", """{"text":"plain text"}""", "plain text" },
        { "image", """{"type":"image","image":{"caption":"a photo"}}""", "a photo" },
        { "interactive", """{"type":"interactive","interactive":{"button_reply":{"id":"yes-1","title":"Yes"}}}""", "Yes" },
        { "interactive", """{"type":"interactive","interactive":{"list_reply":{"id":"row-2","title":"Second","description":"d"}}}""", "Second" },
        { "button", """{"type":"button","button":{"payload":"PAYLOAD_1","text":"Quick reply"}}""", "Quick reply" },
        { "location", """{"type":"location","location":{"latitude":52.52,"longitude":13.405,"name":"Berlin","address":"Mitte"}}""", null },
        { "reaction", """{"type":"reaction","reaction":{"message_id":"wamid.earlier","emoji":"👍"}}""", null },
        { "unsupported", """{"message":{"type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]}}""", null },
    };

    [Theory]
    [MemberData(nameof(InboundTypes))]
    public async Task EveryInboundTypeIsParsedAndStored(string type, string request, string? text)
    {
        var body = JsonNode.Parse(request)!.AsObject();
        body["profile_name"] = "Typed Customer";
        var result = await fixture.InboundAsync(body);
        Assert.Equal([200], WebhookFixture.HttpStatuses(result));

        var wamid = result["wamid"]!.GetValue<string>();
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(
            "SELECT message_type, text, payload::text, direction, status, bot_id, organization_id, wa_timestamp FROM messages WHERE wa_message_id = @w", db);
        query.Parameters.AddWithValue("w", wamid);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"{type}: not stored");
        Assert.Equal(type, reader.GetString(0));
        Assert.Equal(text, reader.IsDBNull(1) ? null : reader.GetString(1));
        var payload = JsonNode.Parse(reader.GetString(2))!;
        Assert.Equal(wamid, payload["id"]!.GetValue<string>());
        Assert.Equal("inbound", reader.GetString(3));
        Assert.Equal("received", reader.GetString(4));
        Assert.Equal(fixture.BotId, reader.GetInt64(5));
        Assert.Equal(fixture.OrganizationId, reader.GetInt64(6));
        Assert.False(reader.IsDBNull(7));
        if (type == "interactive")
        {
            Assert.NotNull(payload["interactive"]);
        }
    }

    [Fact]
    public async Task StatusesDeliveredOutOfOrderEndAtTheRightFinalState()
    {
        var read = await InsertOutboundAsync();
        var results = await fixture.StatusAsync(new JsonObject { ["wamid"] = read, ["statuses"] = new JsonArray("read", "sent", "delivered", "sent") });
        Assert.All(results["results"]!.AsArray(), r => Assert.Equal(200, r!["http_status"]!.GetValue<int>()));
        var (status, errorCode) = await StatusOfAsync(read);
        Assert.Equal("read", status);
        Assert.Null(errorCode);

        // failed over sent keeps its error; a late delivered/read never moves it again.
        var failed = await InsertOutboundAsync();
        await fixture.StatusAsync(new JsonObject { ["wamid"] = failed, ["statuses"] = new JsonArray("sent", "failed", "delivered"), ["error"] = new JsonObject { ["code"] = 131026, ["title"] = "Message undeliverable" } });
        (status, errorCode) = await StatusOfAsync(failed);
        Assert.Equal("failed", status);
        Assert.Equal(131026, errorCode);

        // All in one webhook, out of order: same rule.
        var batched = await InsertOutboundAsync();
        var batch = await fixture.StatusAsync(new JsonObject { ["wamid"] = batched, ["statuses"] = new JsonArray("delivered", "read", "sent"), ["batch"] = true });
        Assert.Equal(200, batch["results"]![0]!["http_status"]!.GetValue<int>());
        Assert.Equal("read", (await StatusOfAsync(batched)).Status);
    }

    [Fact]
    public async Task AStatusForAnUnknownMessageIsAcknowledged()
    {
        var results = await fixture.StatusAsync(new JsonObject { ["wamid"] = "wamid.never-sent-" + Guid.NewGuid().ToString("N"), ["status"] = "delivered" });
        Assert.Equal(200, results["results"]![0]!["http_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task BadOrMissingSignaturesAre401AndNothingIsStored()
    {
        var wamid = "wamid.unsigned-" + Guid.NewGuid().ToString("N");
        foreach (var signature in new[] { "", "sha256=" + new string('0', 64), "sha256=zz", "md5=abc", "sha256=" + new string('a', 63) })
        {
            var result = await fixture.InboundAsync(new JsonObject { ["text"] = "forged", ["wamid"] = wamid, ["signature"] = signature });
            Assert.Equal([401], WebhookFixture.HttpStatuses(result));
        }

        // Signed with a secret nobody configured.
        var wrong = await fixture.InboundAsync(new JsonObject { ["text"] = "forged", ["wamid"] = wamid, ["app_secret"] = "not-the-secret" });
        Assert.Equal([401], WebhookFixture.HttpStatuses(wrong));
        Assert.Equal(0, await CountAsync(wamid));
    }

    [Fact]
    public async Task ASignatureOverReserializedJsonIs401()
    {
        var wamid = "wamid.reserialized-" + Guid.NewGuid().ToString("N");
        var payload = Payload(fixture.PhoneNumberId, wamid);
        var compact = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var pretty = Encoding.UTF8.GetBytes(payload.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        // The same JSON, signed as compact and sent pretty-printed (what a proxy that re-serializes would do).
        var response = await PostAsync(pretty, WebhookSignature.Compute(compact, WebhookFixture.EnvAppSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(0, await CountAsync(wamid));
    }

    [Fact]
    public async Task MalformedJsonOrAMissingEntryWithAValidSignatureIs400()
    {
        foreach (var body in new[] { "{not json", """{"object":"whatsapp_business_account"}""", "[]", """{"object":"page","entry":[]}""" })
        {
            var response = await PostSignedAsync(Encoding.UTF8.GetBytes(body));
            Assert.True(response.Status == HttpStatusCode.BadRequest, $"{body}: {response.Status} {response.Body?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task MalformedJsonWithABadSignatureIs401()
    {
        var response = await PostAsync(Encoding.UTF8.GetBytes("{not json"), "sha256=" + new string('1', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task ABodyOverOneMegabyteIs413()
    {
        var body = Encoding.UTF8.GetBytes("{\"object\":\"whatsapp_business_account\",\"pad\":\"" + new string('x', 1024 * 1024) + "\",\"entry\":[]}");
        // Expect: 100-continue makes the client wait for the answer before it writes the body. Kestrel refuses the body
        // from its Content-Length without asking for it; written eagerly, the 1 MB races the closing connection
        // (a broken pipe instead of the 413).
        var response = await PostAsync(body, WebhookSignature.Compute(body, WebhookFixture.EnvAppSecret), expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
    }

    [Fact]
    public async Task AnUnknownPhoneNumberIsAcknowledgedAndNothingIsStored()
    {
        var result = await fixture.InboundAsync(new JsonObject { ["text"] = "to nobody", ["phone_number_id"] = WebhookFixture.NewPhoneNumberId() });
        Assert.Equal([200], WebhookFixture.HttpStatuses(result));
        Assert.Equal(0, await CountAsync(result["wamid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ABotWithItsOwnAppSecretIsVerifiedWithThatSecret()
    {
        var phone = WebhookFixture.NewPhoneNumberId();
        var secret = "bot-own-app-secret-" + Guid.NewGuid().ToString("N");
        var botId = await Http.CreateBotAsync(fixture.OwnerToken, new { name = "Own secret bot", whatsapp_phone_number_id = phone, whatsapp_app_secret = secret, whatsapp_access_token = "own-secret-bot-token" });

        var wrong = await fixture.InboundAsync(new JsonObject { ["text"] = "wrong", ["phone_number_id"] = phone, ["app_secret"] = "another-secret-entirely" });
        Assert.Equal([401], WebhookFixture.HttpStatuses(wrong));
        Assert.Equal(0, await CountAsync(wrong["wamid"]!.GetValue<string>()));

        var ok = await fixture.InboundAsync(new JsonObject { ["text"] = "own secret", ["phone_number_id"] = phone, ["app_secret"] = secret });
        Assert.Equal([200], WebhookFixture.HttpStatuses(ok));
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT bot_id FROM messages WHERE wa_message_id = @w", db);
        query.Parameters.AddWithValue("w", ok["wamid"]!.GetValue<string>());
        Assert.Equal(botId, (long)(await query.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task SeveralSendersInOnePayloadAreAllRecorded()
    {
        var payload = Payload(fixture.PhoneNumberId, "wamid.multi-a-" + Guid.NewGuid().ToString("N"));
        var value = payload["entry"]![0]!["changes"]![0]!["value"]!;
        var messages = value["messages"]!.AsArray();
        var second = messages[0]!.DeepClone();
        second["id"] = "wamid.multi-b-" + Guid.NewGuid().ToString("N");
        second["from"] = "4917700000001";
        messages.Add(second);
        var third = messages[0]!.DeepClone();
        third["id"] = "wamid.multi-c-" + Guid.NewGuid().ToString("N");
        messages.Add(third);

        var response = await PostSignedAsync(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(3, response.Body!["received"]!.GetValue<int>());
        Assert.Equal(0, response.Body!["duplicates"]!.GetValue<int>());
        foreach (var message in messages)
        {
            Assert.Equal(1, await CountAsync(message!["id"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task AMessageThatCannotBeRecordedIs503WithRetryAfterAndTheRetrySucceeds()
    {
        // The database refuses this one message (a stand-in for any store failure); the others in its payload don't matter:
        // the webhook is not acknowledged unless every message is durable.
        var marker = "refuse-" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync($"ALTER TABLE messages ADD CONSTRAINT e2e_{marker.Replace('-', '_')} CHECK (text IS DISTINCT FROM '{marker}') NOT VALID");
        JsonObject first;
        try
        {
            first = await fixture.InboundAsync(new JsonObject { ["text"] = marker });
            Assert.Equal([503], WebhookFixture.HttpStatuses(first));
        }
        finally
        {
            await ExecuteAsync($"ALTER TABLE messages DROP CONSTRAINT e2e_{marker.Replace('-', '_')}");
        }

        var wamid = first["wamid"]!.GetValue<string>();
        Assert.Equal(0, await CountAsync(wamid));
        var payload = Encoding.UTF8.GetBytes(first["payload"]!.ToJsonString());
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/whatsapp/webhook") { Content = new ByteArrayContent(payload) })
        {
            // What Meta sees: 503 with Retry-After. Shown on a direct post of the same bytes while the store refuses again.
            await ExecuteAsync($"ALTER TABLE messages ADD CONSTRAINT e2e_again CHECK (text IS DISTINCT FROM '{marker}') NOT VALID");
            try
            {
                request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(payload, WebhookFixture.EnvAppSecret));
                using var response = await Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.True(response.Headers.RetryAfter is not null, "Retry-After missing");
            }
            finally
            {
                await ExecuteAsync("ALTER TABLE messages DROP CONSTRAINT e2e_again");
            }
        }

        // Meta's retry (the same bytes) is recorded.
        var retry = await PostSignedAsync(payload);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(1, await CountAsync(wamid));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    internal static Uri Verify(string token, string challenge, long? botId = null) =>
        new($"/whatsapp/webhook{(botId is { } id ? "/" + id : "")}?hub.mode=subscribe&hub.verify_token={Uri.EscapeDataString(token)}&hub.challenge={Uri.EscapeDataString(challenge)}", UriKind.Relative);

    private static JsonObject Payload(string phoneNumberId, string wamid) => JsonNode.Parse($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550009999","phone_number_id":"{{{phoneNumberId}}}"},
          "contacts":[{"profile":{"name":"Raw Customer"},"wa_id":"4915100000000"}],
          "messages":[{"from":"4915100000000","id":"{{{wamid}}}","timestamp":"1767225600","type":"text","text":{"body":"raw"}}]}}]}]}
        """)!.AsObject();

    private Task<(HttpStatusCode Status, JsonNode? Body)> PostSignedAsync(byte[] body) =>
        PostAsync(body, WebhookSignature.Compute(body, WebhookFixture.EnvAppSecret));

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(byte[] body, string? signature, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/whatsapp/webhook") { Content = new ByteArrayContent(body) };
        request.Headers.ExpectContinue = expectContinue;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (JsonException)
        {
        }

        return (response.StatusCode, json);
    }

    private async Task<long> CountAsync(string wamid)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT count(*) FROM messages WHERE wa_message_id = @w", db);
        query.Parameters.AddWithValue("w", wamid);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private async Task<string> InsertOutboundAsync()
    {
        var wamid = "wamid.out-" + Guid.NewGuid().ToString("N");
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text,
                                  status, status_rank, sent_at, client_message_id)
            VALUES (@b, @o, '4915112345678', 'outbound', @w, 'text', 'hello', 'sent', 1, now(), gen_random_uuid())
            """,
            db);
        insert.Parameters.AddWithValue("b", fixture.BotId);
        insert.Parameters.AddWithValue("o", fixture.OrganizationId);
        insert.Parameters.AddWithValue("w", wamid);
        await insert.ExecuteNonQueryAsync();
        return wamid;
    }

    private async Task<(string Status, int? ErrorCode)> StatusOfAsync(string wamid)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand("SELECT status, error_code FROM messages WHERE wa_message_id = @w AND bot_id = @b", db);
        query.Parameters.AddWithValue("w", wamid);
        query.Parameters.AddWithValue("b", fixture.BotId);
        await using var reader = await query.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
    }
}
