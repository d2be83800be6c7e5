using ChatBoost.Grains.WhatsApp;
using ChatBoost.Grains.WhatsApp.MessageStore;

namespace ChatBoost.UnitTests.WhatsApp;

public class InboundRecordTests
{
    [Fact]
    public void NulCharactersNeverReachPostgreSql()
    {
        var message = new InboundMessage(
            "wamid.1", "15550001111", "Ann", null, "text", "a\0b", null, null, null, null, null,
            """{"id":"wamid.1","type":"text","text":{"body":"a\u0000b"}}""");

        var record = InboundRecord.From(1, 2, message);

        Assert.Equal("a\uFFFDb", record.Text);
        Assert.DoesNotContain("\\u0000", record.PayloadJson, StringComparison.Ordinal);
        Assert.Contains("\\uFFFD", record.PayloadJson, StringComparison.Ordinal);
    }
}
