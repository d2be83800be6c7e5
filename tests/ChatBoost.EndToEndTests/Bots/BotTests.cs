using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Bots;

/// <summary>Bots: secrets never come back, phone number ids are unique among live bots, partial updates, soft delete.</summary>
[Collection(SystemCollection.Name)]
public class BotTests(SharedSystemFixture fixture)
{
    private const string CanaryToken = "CANARY-TOKEN-7f1e3b9c2d4a5e6f";
    private const string CanaryAppSecret = "CANARY-APPSECRET-91b2c3d4e5f6";
    private const string CanaryVerifyToken = "CANARY-VERIFY-0a1b2c3d4e5f";

    private readonly ChatBoostSystem _system = fixture.System;

    private HttpClient Http => _system.Http;

    private static string NewPhoneNumberId() => "1" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task SecretsAreNeverReturnedByAnyEndpointNorLogged()
    {
        var owner = await Http.NewUserAsync("bot-secrets");
        var (status, bot, _) = await Http.PostJsonAsync("/bots/", new
        {
            name = "Secret bot",
            is_whatsapp_enabled = true,
            whatsapp_phone_number_id = NewPhoneNumberId(),
            whatsapp_business_account_id = "102290129340398",
            whatsapp_access_token = CanaryToken,
            whatsapp_app_secret = CanaryAppSecret,
            whatsapp_webhook_verify_token = CanaryVerifyToken,
        }, owner.Token);
        Assert.Equal(HttpStatusCode.Created, status);
        var botId = bot!["id"]!.GetValue<long>();
        Assert.True(bot["has_whatsapp_access_token"]!.GetValue<bool>());
        Assert.Equal(CanaryToken[^4..], bot["whatsapp_access_token_last4"]!.GetValue<string>());
        Assert.True(bot["has_whatsapp_app_secret"]!.GetValue<bool>());
        Assert.True(bot["has_whatsapp_webhook_verify_token"]!.GetValue<bool>());
        Assert.Null(bot["whatsapp_access_token"]);

        // Every endpoint that shows a bot, and the refusals that echo input.
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/bots/{botId}", owner.Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/bots/", owner.Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/{botId}", new { description = "still secret" }, owner.Token)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Http.PutJsonAsync($"/bots/{botId}", new { whatsapp_access_token = CanaryToken + " with spaces" }, owner.Token)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Http.PostJsonAsync("/bots/", new { name = "x", whatsapp_access_token = CanaryToken, bogus = CanaryToken }, owner.Token)).Status);
        var stranger = await Http.NewUserAsync("bot-secrets-stranger");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/bots/{botId}", stranger.Token)).Status);
        var flowId = await Http.CreateFlowAsync(owner.Token, botId);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/bots/flows/{flowId}", owner.Token)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/bots/{botId}", owner.Token)).Status);

        // In the database the secrets are ciphertext only.
        await using (var connection = await _system.OpenDatabaseAsync())
        {
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orleansstorage WHERE position(convert_to('CANARY', 'UTF8') in payloadbinary) > 0", connection);
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }

        foreach (var canary in new[] { CanaryToken, CanaryAppSecret, CanaryVerifyToken })
        {
            Assert.DoesNotContain(_system.RecordedResponses, body => body.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(canary, _system.AllLogs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SecretUpdates_AbsentKeeps_NullClears_StringReplaces()
    {
        var owner = await Http.NewUserAsync("bot-update");
        var botId = await Http.CreateBotAsync(owner.Token, new { name = "Updatable", whatsapp_access_token = "first-token-abcdefgh-1111", whatsapp_app_secret = "app-secret-abcdefgh-2222" });

        var (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { name = "Renamed" }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Renamed", bot!["name"]!.GetValue<string>());
        Assert.Equal("1111", bot["whatsapp_access_token_last4"]!.GetValue<string>());
        Assert.True(bot["has_whatsapp_app_secret"]!.GetValue<bool>());

        (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { whatsapp_access_token = "second-token-abcdefgh-3333", whatsapp_app_secret = (string?)null }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("3333", bot!["whatsapp_access_token_last4"]!.GetValue<string>());
        Assert.False(bot["has_whatsapp_app_secret"]!.GetValue<bool>());
        Assert.Null(bot["whatsapp_app_secret_last4"]);

        // Short secrets show no last four characters at all.
        (status, bot, _) = await Http.PutJsonAsync($"/bots/{botId}", new { whatsapp_webhook_verify_token = "short" }, owner.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(bot!["has_whatsapp_webhook_verify_token"]!.GetValue<bool>());
        Assert.Null(bot["whatsapp_webhook_verify_token_last4"]);

        // Unknown fields and empty updates are refused.
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PutJsonAsync($"/bots/{botId}", new { organization_id = 1 }, owner.Token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PutJsonAsync($"/bots/{botId}", new { }, owner.Token));
    }

    [Fact]
    public async Task APhoneNumberIdBelongsToOneLiveBot_AndIsFreedByDeleteOrChange()
    {
        var owner = await Http.NewUserAsync("bot-phone");
        var other = await Http.NewUserAsync("bot-phone-other");
        var phone = NewPhoneNumberId();
        var first = await Http.CreateBotAsync(owner.Token, new { name = "First", whatsapp_phone_number_id = phone, whatsapp_access_token = "first-token-for-phone" });

        // Another bot, even in another organization, cannot take it.
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync("/bots/", new { name = "Second", whatsapp_phone_number_id = phone, whatsapp_access_token = "second-token-for-phone" }, other.Token));
        var second = await Http.CreateBotAsync(other.Token, new { name = "Second", whatsapp_access_token = "second-token-for-phone" });
        AssertProblem(HttpStatusCode.Conflict, await Http.PutJsonAsync($"/bots/{second}", new { whatsapp_phone_number_id = phone }, other.Token));
        var (_, secondView, _) = await Http.GetJsonAsync($"/bots/{second}", other.Token);
        Assert.Null(secondView!["whatsapp_phone_number_id"]);

        // Deleting the first bot frees the number; the deleted bot and its flows answer 404.
        var flowId = await Http.CreateFlowAsync(owner.Token, first);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/bots/{first}", owner.Token)).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/bots/{first}", owner.Token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/bots/flows/{flowId}", owner.Token));
        AssertProblem(HttpStatusCode.NotFound, await Http.DeleteAsync($"/bots/{first}", owner.Token));
        var (_, list, _) = await Http.GetJsonAsync("/bots/", owner.Token);
        Assert.DoesNotContain(list!.AsArray(), b => b!["id"]!.GetValue<long>() == first);

        var (status, updated, _) = await Http.PutJsonAsync($"/bots/{second}", new { whatsapp_phone_number_id = phone }, other.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(phone, updated!["whatsapp_phone_number_id"]!.GetValue<string>());

        // Changing the number releases the old one.
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/{second}", new { whatsapp_phone_number_id = NewPhoneNumberId() }, other.Token)).Status);
        await Http.CreateBotAsync(owner.Token, new { name = "Third", whatsapp_phone_number_id = phone, whatsapp_access_token = "third-token-for-phone" });
    }

    [Fact]
    public async Task BotsAreListedPerOrganizationAndPaged()
    {
        var owner = await Http.NewUserAsync("bot-list");
        var orgId = await Http.CreateOrganizationAsyncForBots(owner.Token);
        var inOrg = await Http.CreateBotAsync(owner.Token, new { name = "In org", organization_id = orgId });
        var personal = await Http.CreateBotAsync(owner.Token, new { name = "Personal" });

        var (_, all, _) = await Http.GetJsonAsync("/bots/", owner.Token);
        Assert.Equal([inOrg, personal], all!.AsArray().Select(b => b!["id"]!.GetValue<long>()).Order());
        var (_, filtered, _) = await Http.GetJsonAsync($"/bots/?organization_id={orgId}", owner.Token);
        Assert.Equal([inOrg], filtered!.AsArray().Select(b => b!["id"]!.GetValue<long>()));
        var (_, paged, _) = await Http.GetJsonAsync("/bots/?limit=1&offset=1", owner.Token);
        Assert.Single(paged!.AsArray());
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync("/bots/?limit=0", owner.Token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/bots/", new { name = "Elsewhere", organization_id = orgId + 100_000 }, owner.Token));
    }
}

internal static class BotTestOrganizations
{
    public static async Task<long> CreateOrganizationAsyncForBots(this HttpClient http, string token)
    {
        var (status, body, _) = await http.PostJsonAsync("/team/organizations", new { name = "Bots org" }, token);
        Assert.Equal(HttpStatusCode.Created, status);
        return body!["id"]!.GetValue<long>();
    }
}
