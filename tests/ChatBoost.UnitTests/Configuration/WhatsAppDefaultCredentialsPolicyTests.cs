using ChatBoost.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class WhatsAppDefaultCredentialsPolicyTests
{
    [Theory]
    [InlineData(null, true, false)]
    [InlineData("", true, false)]
    [InlineData(null, false, true)]
    [InlineData("off", false, false)]
    [InlineData("OFF", false, false)]
    [InlineData("all", true, true)]
    public void UnsetIsOffInProductionAndAllElsewhere_NamedValuesWin(string? value, bool isProduction, bool allowsAnyOrganization)
    {
        var policy = WhatsAppDefaultCredentialsPolicy.Parse(value, isProduction);
        Assert.Equal(allowsAnyOrganization, policy.Allows(7));
        Assert.Equal(allowsAnyOrganization, policy.Allows(123_456));
    }

    [Fact]
    public void AListAllowsExactlyTheOrganizationsItNames()
    {
        var policy = WhatsAppDefaultCredentialsPolicy.Parse(" 3, 42 ,1000", isProduction: true);
        Assert.True(policy.Allows(3));
        Assert.True(policy.Allows(42));
        Assert.True(policy.Allows(1000));
        Assert.False(policy.Allows(4));
        Assert.False(policy.Allows(0));
    }

    [Theory]
    [InlineData("admins")]
    [InlineData("1,x")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("1.5")]
    public void AnythingElseRefusesToStart(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() => WhatsAppDefaultCredentialsPolicy.Parse(value, isProduction: true));
        Assert.Contains("WHATSAPP_DEFAULT_CREDENTIALS", e.Message, StringComparison.Ordinal);
    }
}
