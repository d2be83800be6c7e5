using ChatBoost.WhatsApp;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.WhatsApp;

/// <summary>
/// A hostile tenant against the WhatsApp surface, on the real processes (issue 11, items 1 and 2): it signs webhooks
/// that name another tenant's number, answers Meta's handshake for another tenant's bot, sends on the operator's account,
/// and claims numbers it does not control. Each attempt is made for real and shown to fail.
/// </summary>
public class TenantIsolationTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private HttpClient Http => fixture.System.Http;

    /// <summary>A tenant's bot with its own number (registered at the fake for its token only) and its own secrets.</summary>
    private sealed record Tenant(string OwnerToken, long BotId, long OrganizationId, string PhoneNumberId, string AccessToken, string? AppSecret, string VerifyToken);

    private async Task<Tenant> TenantAsync(string name, bool ownAppSecret = true)
    {
        var owner = await Http.NewUserAsync("tenant-" + name);
        var phone = WebhookFixture.NewPhoneNumberId();
        var token = $"{name}-access-token-" + Guid.NewGuid().ToString("N");
        var secret = ownAppSecret ? $"{name}-app-secret-" + Guid.NewGuid().ToString("N") : null;
        var verify = $"{name}-verify-token-" + Guid.NewGuid().ToString("N");
        await fixture.RegisterPhoneNumberAsync(phone, token);
        var botId = await Http.CreateBotAsync(owner.Token, new
        {
            name = "Bot of " + name,
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = phone,
            whatsapp_access_token = token,
            whatsapp_app_secret = secret,
            whatsapp_webhook_verify_token = verify,
        });
        return new Tenant(owner.Token, botId, await ScalarAsync<long>("SELECT organization_id FROM bots WHERE id = @b", botId), phone, token, secret, verify);
    }

    [Fact]
    public async Task AForgedChangeForAnotherTenantsNumber_IsDroppedWithoutTellingTheSignerAnything()
    {
        var victim = await TenantAsync("victim");
        var envVictim = await TenantAsync("env-victim", ownAppSecret: false); // verified with WHATSAPP_APP_SECRET
        var attacker = await TenantAsync("attacker");

        // The victim's bot would answer any message: a published default flow that sends.
        var flowId = await Http.CreateFlowAsync(victim.OwnerToken, victim.BotId, "Welcome");
        await Http.CreateNodeAsync(victim.OwnerToken, flowId, "send_message", BotScenario.Text("Hello from the victim"));
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, victim.OwnerToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/{victim.BotId}", new { default_flow_id = flowId }, victim.OwnerToken)).Status);
        var victimOutbound = await InsertOutboundAsync(victim);

        // The attacker signs, with its own app secret, one change for its own number and forged ones for the victims'.
        var forgedWamid = "wamid.forged-" + Guid.NewGuid().ToString("N");
        byte[] Forgery(string victimNumber, string envVictimNumber, string ownWamid, string forged) => Body(
            Change(attacker.PhoneNumberId, Message("4915000000001", ownWamid)),
            Change(victimNumber, Message("4915000000666", forged), Status(victimOutbound, "read")),
            Change(envVictimNumber, Message("4915000000667", forged + "-env"), null));

        var againstVictims = await PostAsync(Forgery(victim.PhoneNumberId, envVictim.PhoneNumberId, NewWamid(), forgedWamid), attacker.AppSecret!);
        var againstNobody = await PostAsync(Forgery(WebhookFixture.NewPhoneNumberId(), WebhookFixture.NewPhoneNumberId(), NewWamid(), NewWamid()), attacker.AppSecret!);
        var atVictimsUrl = await PostAsync(Forgery(victim.PhoneNumberId, envVictim.PhoneNumberId, NewWamid(), forgedWamid), attacker.AppSecret!, $"/whatsapp/webhook/{victim.BotId}");

        // 200 (so Meta would not retry a forgery forever), counting only the attacker's own message, and the same answer
        // whether the other numbers are the victims' or nobody's.
        Assert.Equal(HttpStatusCode.OK, againstVictims.Status);
        Assert.Equal("""{"received":1,"duplicates":0,"statuses":0}""", againstVictims.Text);
        Assert.Equal((againstVictims.Status, againstVictims.Text), (againstNobody.Status, againstNobody.Text));
        Assert.Equal((againstVictims.Status, againstVictims.Text), (atVictimsUrl.Status, atVictimsUrl.Text));

        // Only the victims' changes, signed by the attacker: the same 401 as for a number nobody owns.
        var onlyVictim = await PostAsync(Body(Change(victim.PhoneNumberId, Message("4915000000666", NewWamid()), null)), attacker.AppSecret!);
        var onlyNobody = await PostAsync(Body(Change(WebhookFixture.NewPhoneNumberId(), Message("4915000000666", NewWamid()), null)), attacker.AppSecret!);
        Assert.Equal(HttpStatusCode.Unauthorized, onlyVictim.Status);
        Assert.Equal(ProblemDetail(onlyVictim.Text), ProblemDetail(onlyNobody.Text));
        Assert.Equal(onlyVictim.Status, onlyNobody.Status);

        // The victims recorded nothing, ran nothing, sent nothing, and their message statuses did not move.
        foreach (var bot in new[] { victim, envVictim })
        {
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b AND direction = 'inbound'", bot.BotId));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM contacts WHERE bot_id = @b", bot.BotId));
            Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM flow_executions WHERE bot_id = @b", bot.BotId));
            Assert.Empty(await fixture.FakeRequestsAsync(bot.PhoneNumberId));
        }

        Assert.Equal("sent", await ScalarAsync<string>($"SELECT status FROM messages WHERE wa_message_id = '{victimOutbound}' AND bot_id = @b", victim.BotId));
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM messages WHERE wa_message_id LIKE '{forgedWamid}%'", 0));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b AND direction = 'inbound'", attacker.BotId));

        // The control: the same change signed by the victim's own app secret is recorded and starts the victim's flow,
        // so the zeros above are the check working, not a path that never ingests.
        var genuine = await PostAsync(Body(Change(victim.PhoneNumberId, Message("4915000000777", NewWamid()), null)), victim.AppSecret!);
        Assert.Equal("""{"received":1,"duplicates":0,"statuses":0}""", genuine.Text);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync<long>("SELECT count(*) FROM flow_executions WHERE bot_id = @b", victim.BotId) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal("4915000000777", await ScalarAsync<string>("SELECT string_agg(contact_wa_id, ',') FROM flow_executions WHERE bot_id = @b", victim.BotId));
    }

    [Fact]
    public async Task TheVerifyHandshakeChecksTheTokenOfTheBotItNames()
    {
        var victim = await TenantAsync("handshake-victim");
        var attacker = await TenantAsync("handshake-attacker");

        var own = await Http.GetAsync(WebhookTests.Verify(victim.VerifyToken, "c-victim", victim.BotId));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("c-victim", await own.Content.ReadAsStringAsync());

        // The attacker's valid token does not pass for the victim's bot, nor on the platform's URL; an unknown bot id
        // gives the same answer as a wrong token.
        var forged = await Http.GetAsync(WebhookTests.Verify(attacker.VerifyToken, "c", victim.BotId));
        var unknownBot = await Http.GetAsync(WebhookTests.Verify(attacker.VerifyToken, "c", victim.BotId + 1_000_000));
        var platform = await Http.GetAsync(WebhookTests.Verify(attacker.VerifyToken, "c"));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknownBot.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, platform.StatusCode);
        Assert.Equal(ProblemDetail(await forged.Content.ReadAsStringAsync()), ProblemDetail(await unknownBot.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ABotWithoutCredentialsCannotSendOnTheOperatorsAccount()
    {
        var owner = await Http.NewUserAsync("tenant-freeloader");
        var botId = await Http.CreateBotAsync(owner.Token, new { name = "Freeloader", is_whatsapp_enabled = true });

        var send = await Http.PostJsonAsync($"/whatsapp/send/template?bot_id={botId}", new { to = "15550000999", template_name = "hello_world", language_code = "en_US" }, owner.Token);
        AssertProblem(HttpStatusCode.Conflict, send);
        Assert.Empty(await fixture.FakeRequestsAsync(fixture.PlatformPhoneNumberId));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM messages WHERE bot_id = @b", botId));
    }

    [Fact]
    public async Task ClaimingThePlatformsNumberOrANumberTheTokenDoesNotReachIsRefused()
    {
        var owner = await Http.NewUserAsync("tenant-squatter");
        var victim = await TenantAsync("claim-victim");

        // The operator's own number: 409, whatever the token.
        var platform = await Http.PostJsonAsync("/bots/", new { name = "Squat platform", whatsapp_phone_number_id = fixture.PlatformPhoneNumberId, whatsapp_access_token = "squatter-token" }, owner.Token);
        AssertProblem(HttpStatusCode.Conflict, platform);
        Assert.Contains("platform", platform.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // Another business's number with a token that does not reach it (Meta's 100/33): 422, on create and on update;
        // and the answer is the same whether or not a bot already claimed it.
        var unclaimed = WebhookFixture.NewPhoneNumberId();
        await fixture.RegisterPhoneNumberAsync(unclaimed, "the-real-owners-token");
        var claimed = await Http.PostJsonAsync("/bots/", new { name = "Squat", whatsapp_phone_number_id = victim.PhoneNumberId, whatsapp_access_token = "squatter-token" }, owner.Token);
        var free = await Http.PostJsonAsync("/bots/", new { name = "Squat", whatsapp_phone_number_id = unclaimed, whatsapp_access_token = "squatter-token" }, owner.Token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, claimed);
        AssertProblem(HttpStatusCode.UnprocessableEntity, free);
        Assert.Equal(["whatsapp_phone_number_id"], ErrorFields(claimed.Body!));
        var own = await Http.CreateBotAsync(owner.Token, new { name = "Squatter", whatsapp_access_token = "squatter-token" });
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PutJsonAsync($"/bots/{own}", new { whatsapp_phone_number_id = unclaimed }, owner.Token));

        // Without any token (the operator's is not lent when WHATSAPP_DEFAULT_CREDENTIALS is off): 422.
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/bots/", new { name = "No token", whatsapp_phone_number_id = WebhookFixture.NewPhoneNumberId() }, owner.Token));

        // Nothing was claimed; the real owner's token still can.
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM bots WHERE whatsapp_phone_number_id IN ('{unclaimed}', '{fixture.PlatformPhoneNumberId}')", 0));
        Assert.Equal(victim.BotId, await ScalarAsync<long>($"SELECT id FROM bots WHERE whatsapp_phone_number_id = '{victim.PhoneNumberId}' AND deleted_at IS NULL", 0));
        await Http.CreateBotAsync(owner.Token, new { name = "Rightful", whatsapp_phone_number_id = unclaimed, whatsapp_access_token = "the-real-owners-token" });
    }

    private static string NewWamid() => "wamid.t-" + Guid.NewGuid().ToString("N");

    private static JsonObject Message(string from, string wamid) => new()
    {
        ["from"] = from,
        ["id"] = wamid,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["type"] = "text",
        ["text"] = new JsonObject { ["body"] = "hi" },
    };

    private static JsonObject Status(string wamid, string status) => new()
    {
        ["id"] = wamid,
        ["status"] = status,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["recipient_id"] = "4915112345678",
    };

    private static JsonObject Change(string phoneNumberId, JsonObject message, JsonObject? status)
    {
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject { ["display_phone_number"] = "15550001111", ["phone_number_id"] = phoneNumberId },
            ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Forged" }, ["wa_id"] = message["from"]!.GetValue<string>() }),
            ["messages"] = new JsonArray(message),
        };
        if (status is not null)
        {
            value["statuses"] = new JsonArray(status);
        }

        return new JsonObject { ["field"] = "messages", ["value"] = value };
    }

    private static JsonObject Change(string phoneNumberId, JsonObject message) => Change(phoneNumberId, message, null);

    private static byte[] Body(params JsonObject[] changes) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["object"] = "whatsapp_business_account",
        ["entry"] = new JsonArray(new JsonObject { ["id"] = "102290129340398", ["changes"] = new JsonArray(changes) }),
    }.ToJsonString());

    private async Task<(HttpStatusCode Status, string Text)> PostAsync(byte[] body, string appSecret, string path = "/whatsapp/webhook")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(body, appSecret));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string? ProblemDetail(string problem) => JsonNode.Parse(problem)?["detail"]?.GetValue<string>();

    private async Task<string> InsertOutboundAsync(Tenant tenant)
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
        insert.Parameters.AddWithValue("b", tenant.BotId);
        insert.Parameters.AddWithValue("o", tenant.OrganizationId);
        insert.Parameters.AddWithValue("w", wamid);
        await insert.ExecuteNonQueryAsync();
        return wamid;
    }

    private async Task<T> ScalarAsync<T>(string sql, long botId)
    {
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var query = new NpgsqlCommand(sql, db);
        query.Parameters.AddWithValue("b", botId);
        return (T)(await query.ExecuteScalarAsync())!;
    }
}
