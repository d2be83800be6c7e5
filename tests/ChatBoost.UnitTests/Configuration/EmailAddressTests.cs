using ChatBoost.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class EmailAddressTests
{
    [Theory]
    [InlineData("a@example.com")]
    [InlineData("first.last+tag@sub.example.co")]
    public void AcceptsOrdinaryAddresses(string email) => Assert.True(EmailAddress.IsValid(email));

    [Theory]
    [InlineData("")]
    [InlineData("no-at-sign")]
    [InlineData("a@localhost")]
    [InlineData("a b@example.com")]
    [InlineData("Name <a@example.com>")]
    [InlineData("a@example.com\n")]
    [InlineData("a@.example.com")]
    public void RefusesOthers(string email) => Assert.False(EmailAddress.IsValid(email));

    [Fact]
    public void RefusesOverlongAddresses() => Assert.False(EmailAddress.IsValid(new string('a', 250) + "@x.io"));

    [Fact]
    public void NormalizationIsCaseInsensitiveAndTrimmed() =>
        Assert.Equal("alice@example.com", EmailAddress.Normalize("  Alice@Example.COM "));
}
