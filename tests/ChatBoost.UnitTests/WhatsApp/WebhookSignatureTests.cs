using ChatBoost.WhatsApp;
using System.Text;
using ChatBoost.Grains.WhatsApp;

namespace ChatBoost.UnitTests.WhatsApp;

public class WebhookSignatureTests
{
    private const string Secret = "app-secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"object":"whatsapp_business_account","entry":[]}""");

    [Fact]
    public void ComputedSignatureIsValid()
    {
        var header = WebhookSignature.Compute(Body, Secret);

        Assert.StartsWith("sha256=", header);
        Assert.Equal(71, header.Length);
        Assert.True(WebhookSignature.IsValid(Body, header, Secret));
    }

    [Fact]
    public void MatchesAnIndependentlyComputedHmac()
    {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published test vector.
        var body = Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog");

        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", WebhookSignature.Compute(body, "key"));
    }

    [Fact]
    public void UppercaseHexIsAccepted() =>
        Assert.True(WebhookSignature.IsValid(Body, "sha256=" + WebhookSignature.Compute(Body, Secret)[7..].ToUpperInvariant(), Secret));

    [Fact]
    public void AnotherSecretIsRejected() =>
        Assert.False(WebhookSignature.IsValid(Body, WebhookSignature.Compute(Body, "other-secret"), Secret));

    [Fact]
    public void AChangedBodyIsRejected()
    {
        var header = WebhookSignature.Compute(Body, Secret);
        var tampered = Body.ToArray();
        tampered[^2] ^= 1;

        Assert.False(WebhookSignature.IsValid(tampered, header, Secret));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    [InlineData("sha256=zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData(" sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void MalformedHeadersAreRejected(string? header) => Assert.False(WebhookSignature.IsValid(Body, header, Secret));

    [Fact]
    public void AnEmptySecretNeverValidates() =>
        Assert.False(WebhookSignature.IsValid(Body, WebhookSignature.Compute(Body, Secret), ""));

    [Fact]
    public void TrailingCharactersAfterAValidSignatureAreRejected() =>
        Assert.False(WebhookSignature.IsValid(Body, WebhookSignature.Compute(Body, Secret) + " ", Secret));
}
