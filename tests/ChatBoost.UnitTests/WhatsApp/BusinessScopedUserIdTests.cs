using System.Text;
using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.UnitTests.WhatsApp;

/// <summary>Senders without a phone number (Meta's business-scoped user ids, 2026) and senders that are neither.</summary>
public class BusinessScopedUserIdTests
{
    private static WebhookParseResult Parse(string contacts, string message) => WebhookPayloadParser.Parse(Encoding.UTF8.GetBytes($$$"""
        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
         "messaging_product":"whatsapp",
         "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
         "contacts":[{{{contacts}}}],
         "messages":[{{{message}}}]}}]}]}
        """));

    [Fact]
    public void AMessageWithOnlyABsuidIsRecordedUnderIt()
    {
        var result = Parse(
            """{"profile":{"name":"Ana","username":"@ana"},"user_id":"US.13491208655302741918"}""",
            """{"from_user_id":"US.13491208655302741918","id":"wamid.b1","timestamp":"1749416383","type":"text","text":{"body":"hi"}}""");
        var message = Assert.Single(Assert.Single(result.Batches).Messages);
        Assert.Equal("US.13491208655302741918", message.From);
        Assert.Equal("US.13491208655302741918", message.FromUserId);
        Assert.Equal("Ana", message.ProfileName);
        Assert.Equal("@ana", message.Username);
    }

    [Fact]
    public void AMessageWithANumberAndABsuidIsKeyedByTheNumberAndKeepsBoth()
    {
        var result = Parse(
            """{"profile":{"name":"Bo"},"wa_id":"16505551234","user_id":"BR.1502576394655843"}""",
            """{"from":"16505551234","from_user_id":"BR.1502576394655843","id":"wamid.b2","type":"text","text":{"body":"hi"}}""");
        var message = Assert.Single(Assert.Single(result.Batches).Messages);
        Assert.Equal("16505551234", message.From);
        Assert.Equal("BR.1502576394655843", message.FromUserId);
        Assert.Equal("Bo", message.ProfileName);
    }

    [Theory]
    [InlineData("""{"from":"PHONE_NUMBER","id":"wamid.p","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"from":"","from_user_id":"","id":"wamid.e","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"id":"wamid.n","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"from_user_id":"not a bsuid","id":"wamid.u","type":"text","text":{"body":"x"}}""")]
    [InlineData("""{"from":"+16505551234","id":"wamid.plus","type":"text","text":{"body":"x"}}""")]
    public void ASenderThatIsNeitherDigitsNorABsuidIsRefusedPerMessage(string bad)
    {
        var result = Parse("", bad + """,{"from":"16505551234","id":"wamid.ok","type":"text","text":{"body":"ok"}}""");
        Assert.True(result.IsValid);
        var message = Assert.Single(Assert.Single(result.Batches).Messages);
        Assert.Equal("wamid.ok", message.WaMessageId);
        Assert.Equal(1, result.SkippedItems);
    }

    [Theory]
    [InlineData("US.13491208655302741918", true)]
    [InlineData("US.ENT.11815799212886844830", true)]
    [InlineData("us.1349", false)]
    [InlineData("US13491208655302741918", false)]
    [InlineData("US.", false)]
    [InlineData("US.abc-def", false)]
    public void BsuidShape(string value, bool valid) => Assert.Equal(valid, ContactKeys.IsBusinessScopedUserId(value));

    [Fact]
    public void ASendToABsuidIsAddressedByRecipient()
    {
        var bsuid = GraphMessageBodies.Build(new OutboundText("US.13491208655302741918", "hello", false));
        Assert.Contains("\"recipient\":\"US.13491208655302741918\"", bsuid, StringComparison.Ordinal);
        Assert.DoesNotContain("\"to\"", bsuid, StringComparison.Ordinal);
        var phone = GraphMessageBodies.Build(new OutboundText("16505551234", "hello", false));
        Assert.Contains("\"to\":\"16505551234\"", phone, StringComparison.Ordinal);
    }
}
