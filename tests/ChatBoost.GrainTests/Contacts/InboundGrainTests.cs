using System.Text;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Grains.Interfaces.WhatsApp;
using ChatBoost.GrainTests.Flows;

namespace ChatBoost.GrainTests.Contacts;

/// <summary>The inbound path below the API: the contact grain's record, the ingress grain's fan-out, the webhook directory.</summary>
[Collection(ChatBoostClusterCollection.Name)]
public class InboundGrainTests(ChatBoostClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static string NewPhone() => "8" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(long BotId, long OrgId)> BotAsync(string? phone = null, string? appSecret = null, string? verifyToken = null)
    {
        var registered = await Grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
            new RegisterUserCommand($"inbound-{Guid.NewGuid():N}@grains.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
        var org = await Grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(registered.User!.Id, "Inbound Org", null);
        var bot = await Grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(new CreateBotCommand(
            registered.User.Id, org.Value!.Id, "Inbound bot", null, true, phone, null, phone is null ? null : new SecretChange("grain-test-token"),
            appSecret is null ? null : new SecretChange(appSecret), verifyToken is null ? null : new SecretChange(verifyToken)));
        Assert.True(bot.IsOk, bot.Detail);
        return (bot.Value!.Id, org.Value.Id);
    }

    [Fact]
    public async Task TheContactRecordsOnceRemembersTheNameAndKeepsTheNewestInboundTime()
    {
        var (botId, orgId) = await BotAsync();
        var contact = Grains.GetGrain<IContactGrain>(botId, "4915100000001", null);
        var t1 = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        var first = new InboundMessageInput(orgId, "wamid.g-" + Guid.NewGuid().ToString("N"), "Ada", "text", "hi", """{"type":"text"}""", t1);

        Assert.Equal(InboundOutcome.Recorded, await contact.RecordInboundAsync(first));
        Assert.Equal(InboundOutcome.Duplicate, await contact.RecordInboundAsync(first));
        var profile = await contact.GetProfileAsync();
        Assert.Equal("Ada", profile!.ProfileName);
        Assert.Equal(t1, profile.LastInboundAt);

        // An older message arriving late does not move the window back; a new name is remembered.
        var older = first with { WaMessageId = "wamid.g-" + Guid.NewGuid().ToString("N"), ProfileName = "Ada L.", Timestamp = t1.AddMinutes(-5) };
        Assert.Equal(InboundOutcome.Recorded, await contact.RecordInboundAsync(older));
        profile = await contact.GetProfileAsync();
        Assert.Equal("Ada L.", profile!.ProfileName);
        Assert.Equal(t1, profile.LastInboundAt);
    }

    [Fact]
    public async Task IngressRecordsKnownNumbersSkipsUnknownOnesAndRefusesGarbage()
    {
        var phone = NewPhone();
        var (botId, _) = await BotAsync(phone);
        var wamid = "wamid.i-" + Guid.NewGuid().ToString("N");
        var ingress = Grains.GetGrain<IWebhookIngressGrain>(0);

        var result = await ingress.IngestAsync(Body(phone, wamid), [phone]);
        Assert.Null(result.Problem);
        Assert.Equal((1, 0, 0), (result.Received, result.Duplicates, result.Statuses));
        var again = await ingress.IngestAsync(Body(phone, wamid), [phone]);
        Assert.Equal((1, 1), (again.Received, again.Duplicates));
        // The ingress acknowledges once the row is durable and tells the contact one-way: the profile follows the consumption.
        var contact = Grains.GetGrain<IContactGrain>(botId, "4915100000002", null);
        Assert.True(await FlowScenario.EventuallyAsync(async () => await contact.GetProfileAsync() is { ProfileName: "Grace" }, TimeSpan.FromSeconds(10)));

        var unknownPhone = NewPhone();
        var unknown = await ingress.IngestAsync(Body(unknownPhone, "wamid.u-" + Guid.NewGuid().ToString("N")), [unknownPhone]);
        Assert.Equal((0, 1), (unknown.Received, unknown.Skipped));

        // A known number whose change the signature did not authenticate: dropped exactly like an unknown one.
        var forged = await ingress.IngestAsync(Body(phone, "wamid.f-" + Guid.NewGuid().ToString("N")), [unknownPhone]);
        Assert.Equal((0, 0, 0, 1), (forged.Received, forged.Duplicates, forged.Statuses, forged.Skipped));

        Assert.NotNull((await ingress.IngestAsync("{oops"u8.ToArray(), [])).Problem);
        Assert.NotNull((await ingress.IngestAsync("""{"object":"whatsapp_business_account"}"""u8.ToArray(), [])).Problem);
    }

    [Fact]
    public async Task TheDirectoryKnowsBotsVerifyTokensAndAppSecrets()
    {
        var phone = NewPhone();
        var token = "grain-verify-" + Guid.NewGuid().ToString("N");
        var secret = "grain-secret-" + Guid.NewGuid().ToString("N");
        var (botId, _) = await BotAsync(phone, secret, token);
        var (otherBotId, _) = await BotAsync(verifyToken: "grain-verify-other-" + Guid.NewGuid().ToString("N"));
        var directory = Grains.GetGrain<IWebhookSecretQueryGrain>(0);

        Assert.True(await directory.IsBotWebhookVerifyTokenAsync(botId, token));
        Assert.False(await directory.IsBotWebhookVerifyTokenAsync(botId, token + "x"));
        Assert.False(await directory.IsBotWebhookVerifyTokenAsync(otherBotId, token)); // one bot's token never passes for another
        Assert.Equal(secret, await directory.GetWebhookSecretAsync(phone));
        Assert.Null(await directory.GetWebhookSecretAsync(NewPhone()));

        // A bot without an app secret of its own answers null: the environment default is the API's own first check.
        var plain = NewPhone();
        await BotAsync(plain);
        Assert.Null(await directory.GetWebhookSecretAsync(plain));
    }

    private static byte[] Body(string phone, string wamid) => Encoding.UTF8.GetBytes($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
          "messaging_product":"whatsapp","metadata":{"display_phone_number":"1555","phone_number_id":"{{{phone}}}"},
          "contacts":[{"profile":{"name":"Grace"},"wa_id":"4915100000002"}],
          "messages":[{"from":"4915100000002","id":"{{{wamid}}}","timestamp":"1767225600","type":"text","text":{"body":"hey"}}]}}]}]}
        """);
}
