using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using Npgsql;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// The durable conversation core seen from outside: a send held at Meta never holds the contact's next acknowledgement,
/// and a customer whose phone number Meta withholds (a business-scoped user id only) is one contact that gets its reply.
/// </summary>
[Collection(FlowEngineCollection.Name)]
public class ConversationCoreTests(FlowEngineFixture fixture)
{
    /// <summary>A bot of its own whose default flow answers every message once.</summary>
    private async Task<(long BotId, string PhoneNumberId)> ReplyingBotAsync(string name, string reply)
    {
        var (botId, phoneNumberId) = await fixture.NewBotAsync(name);
        var flowId = await fixture.NewFlowAsync(botId, name);
        var send = await fixture.NodeAsync(flowId, "send_message", BotScenario.Text(reply));
        await fixture.PublishAsync(flowId, send);
        var (status, bot, _) = await fixture.Http.PutJsonAsync($"/bots/{botId}", new { default_flow_id = flowId }, fixture.OwnerToken);
        Assert.True(status == HttpStatusCode.OK, $"set default flow: {status} {bot?.ToJsonString()}");
        return (botId, phoneNumberId);
    }

    [Fact]
    public async Task ASendHeldAtMeta_DoesNotHoldTheContactsNextAcknowledgement()
    {
        var (_, phoneNumberId) = await ReplyingBotAsync("Held reply bot", "Thanks!");
        var phone = NewPhone();
        await FakeAsync("/_fake/hold-sends", new { count = 1 });
        try
        {
            await fixture.InboundAsync(phone, new JsonObject { ["text"] = "first" }, phoneNumberId);
            await UntilAsync(async () => await HeldAsync() == 1, "the reply to be held at the fake");

            // The contact's step is in flight (its send is held at Meta): the next message is still recorded and
            // acknowledged at once, and the reply is still held when the acknowledgement comes.
            await fixture.InboundAsync(phone, new JsonObject { ["text"] = "second" }, phoneNumberId);
            Assert.Equal(1, await HeldAsync());
        }
        finally
        {
            await FakeAsync("/_fake/release-sends", new { });
        }

        // Both messages were consumed in order: the first started the flow, the second started the next run.
        await UntilAsync(async () => (await fixture.SentTextsAsync(phoneNumberId, phone)).Length >= 2, "both replies");
        Assert.Equal(["Thanks!", "Thanks!"], await fixture.SentTextsAsync(phoneNumberId, phone));
    }

    [Fact]
    public async Task ACustomerKnownOnlyByABusinessScopedUserId_IsOneContact_AndGetsTheReply()
    {
        var (botId, phoneNumberId) = await ReplyingBotAsync("BSUID bot", "Hello {{contact.first_name}}");
        var bsuid = "US." + Random.Shared.NextInt64(1_000_000_000_000_000, 9_000_000_000_000_000);

        // Meta withholds the number: the message names only the BSUID.
        await InboundAsync(phoneNumberId, new JsonObject { ["from_user_id"] = bsuid, ["username"] = "@ana", ["text"] = "hi" });
        await UntilAsync(async () => (await fixture.SentTextsAsync(phoneNumberId, bsuid)).Length == 1, "the reply to the BSUID");
        var reply = Assert.Single(await fixture.SentAsync(phoneNumberId, bsuid))!;
        Assert.Equal(bsuid, reply["body"]!["recipient"]!.GetValue<string>());
        Assert.Null(reply["body"]!["to"]);
        Assert.Equal("Hello Ana", reply["body"]!["text"]!["body"]!.GetValue<string>());

        // Later the same user's message carries a number too: still the same contact, answered the same way.
        var phone = NewPhone();
        await InboundAsync(phoneNumberId, new JsonObject { ["from"] = phone, ["from_user_id"] = bsuid, ["text"] = "again" });
        await UntilAsync(async () => (await fixture.SentTextsAsync(phoneNumberId, bsuid)).Length == 2, "the second reply to the BSUID");
        await using var db = await fixture.System.OpenDatabaseAsync();
        await using var contacts = new NpgsqlCommand("SELECT string_agg(wa_id || '|' || coalesce(username, ''), ',') FROM contacts WHERE bot_id = @b", db);
        contacts.Parameters.AddWithValue("b", botId);
        Assert.Equal($"{bsuid}|@ana", await contacts.ExecuteScalarAsync());

        // A sender that is neither a number nor a BSUID is refused per message (acknowledged, never a contact).
        await InboundAsync(phoneNumberId, new JsonObject { ["from"] = "PHONE_NUMBER", ["text"] = "placeholder" });
        await using var placeholder = new NpgsqlCommand("SELECT count(*) FROM messages WHERE bot_id = @b AND contact_wa_id = 'PHONE_NUMBER'", db);
        placeholder.Parameters.AddWithValue("b", botId);
        Assert.Equal(0L, await placeholder.ExecuteScalarAsync());
    }

    private async Task InboundAsync(string phoneNumberId, JsonObject message)
    {
        message["webhook_url"] = fixture.WebhookUrl;
        message["app_secret"] = AppSecret;
        message["phone_number_id"] = phoneNumberId;
        message["profile_name"] = "Ana Lima";
        using var response = await fixture.Fake.PostAsJsonAsync("/_fake/inbound", message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/_fake/inbound: {response.StatusCode} {text}");
        var statuses = JsonNode.Parse(text)!["http_statuses"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray();
        Assert.True(statuses is [200], $"the webhook was not acknowledged: [{string.Join(", ", statuses)}]");
    }

    private async Task FakeAsync(string path, object body)
    {
        using var response = await fixture.Fake.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<int> HeldAsync() =>
        JsonNode.Parse(await fixture.Fake.GetStringAsync(new Uri("/_fake/held-sends", UriKind.Relative)))!["held"]!.GetValue<int>();

    private static Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.UntilAsync(condition, what, Deadline, TimeSpan.FromMilliseconds(100));
}
