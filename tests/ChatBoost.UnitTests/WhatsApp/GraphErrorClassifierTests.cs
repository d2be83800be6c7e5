using System.Text;
using ChatBoost.Grains.WhatsApp;
using static ChatBoost.Grains.WhatsApp.GraphErrorKind;

namespace ChatBoost.UnitTests.WhatsApp;

public class GraphErrorClassifierTests
{
    private static byte[] ErrorBody(int code) => Encoding.UTF8.GetBytes($$$"""
        {"error":{"message":"(#{{{code}}}) Title","type":"OAuthException","code":{{{code}}},"error_data":{"messaging_product":"whatsapp","details":"Details"},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}
        """);

    [Theory]
    [InlineData(400, 130429, RetryableThroughput)]
    [InlineData(429, 130429, RetryableThroughput)]
    [InlineData(400, 80007, RetryableThroughput)]
    [InlineData(400, 4, RetryableThroughput)]
    [InlineData(400, 131056, RetryableRecipientPairRate)]
    [InlineData(429, 131056, RetryableRecipientPairRate)]
    [InlineData(500, 131000, RetryableTransient)]
    [InlineData(500, 131057, RetryableTransient)]
    [InlineData(503, 131016, RetryableTransient)]
    [InlineData(400, 131047, OutsideCustomerWindow)]
    [InlineData(400, 131026, PermanentRecipient)]
    [InlineData(400, 131049, PermanentRecipient)]
    [InlineData(400, 131021, PermanentRecipient)]
    [InlineData(400, 131048, PermanentPolicy)]
    [InlineData(403, 368, PermanentPolicy)]
    [InlineData(403, 131031, PermanentPolicy)]
    [InlineData(400, 100, InvalidRequest)]
    [InlineData(400, 131008, InvalidRequest)]
    [InlineData(400, 131009, InvalidRequest)]
    [InlineData(400, 131051, InvalidRequest)]
    [InlineData(400, 132001, InvalidRequest)]
    [InlineData(401, 190, TokenExpired)]
    [InlineData(403, 10, TokenExpired)]
    [InlineData(400, 999999, Unknown)]
    [InlineData(500, 999999, RetryableTransient)]
    [InlineData(429, 999999, RetryableThroughput)]
    public void ClassifiesByCodeThenStatus(int status, int code, GraphErrorKind expected) =>
        Assert.Equal(expected, GraphErrorClassifier.Classify(status, ErrorBody(code)));

    [Theory]
    [InlineData(429, RetryableThroughput)]
    [InlineData(500, RetryableTransient)]
    [InlineData(502, RetryableTransient)]
    [InlineData(503, RetryableTransient)]
    [InlineData(504, RetryableTransient)]
    [InlineData(408, RetryableTransient)]
    [InlineData(401, TokenExpired)]
    [InlineData(400, Unknown)]
    [InlineData(404, Unknown)]
    public void WithoutABodyTheStatusDecides(int status, GraphErrorKind expected)
    {
        Assert.Equal(expected, GraphErrorClassifier.Classify(status, ReadOnlySpan<byte>.Empty));
        Assert.Equal(expected, GraphErrorClassifier.Classify(status, "<html>Bad Gateway</html>"u8));
    }

    [Theory]
    [InlineData(RetryableThroughput, true)]
    [InlineData(RetryableRecipientPairRate, true)]
    [InlineData(RetryableTransient, true)]
    [InlineData(OutsideCustomerWindow, false)]
    [InlineData(PermanentRecipient, false)]
    [InlineData(PermanentPolicy, false)]
    [InlineData(InvalidRequest, false)]
    [InlineData(TokenExpired, false)]
    [InlineData(Unknown, false)]
    public void OnlyThrottlingAndTransientErrorsAreRetried(GraphErrorKind kind, bool retry) =>
        Assert.Equal(retry, GraphErrorClassifier.ShouldRetry(kind));

    [Fact]
    public void TransportFailuresAreRetried() => Assert.True(GraphErrorClassifier.ShouldRetry(GraphErrorClassifier.ClassifyTransportFailure()));

    [Fact]
    public void ParsesTheWholeErrorObject()
    {
        var error = GraphErrorClassifier.ParseError("""
            {"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,
             "error_data":{"messaging_product":"whatsapp","details":"Message failed to send because there were too many messages sent from this phone number in a short period of time"},
             "error_subcode":2494055,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}
            """u8);

        Assert.Equal(new GraphError(130429, 2494055, "(#130429) Rate limit hit", "OAuthException",
            "Message failed to send because there were too many messages sent from this phone number in a short period of time",
            "Az8or2yhqkZfEZ-_4Qn_Bam"), error);
    }

    [Theory]
    [InlineData("""{"error":{"code":"131047"}}""", 131047)]
    [InlineData("""{"error":{"code":131047.5}}""", null)]
    [InlineData("""{"error":{"code":null,"message":7,"error_data":"x"}}""", null)]
    public void ToleratesOddShapes(string json, int? code) =>
        Assert.Equal(code, GraphErrorClassifier.ParseError(Encoding.UTF8.GetBytes(json))?.Code);

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"error":"boom"}""")]
    [InlineData("""{"success":true}""")]
    public void NonErrorBodiesParseAsNull(string json) => Assert.Null(GraphErrorClassifier.ParseError(Encoding.UTF8.GetBytes(json)));
}
