using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;

namespace ChatBoost.UnitTests.Auth;

public class PasswordPolicyTests
{
    private static IDictionary<string, string[]> Check(string? password)
    {
        var errors = new ValidationErrors();
        PasswordPolicy.Validate("password", password, errors);
        return errors.ToDictionary();
    }

    [Theory]
    [InlineData("12345678")]
    [InlineData("correct horse battery staple")]
    public void AcceptsReasonablePasswords(string password) => Assert.Empty(Check(password));

    [Fact]
    public void AcceptsExactly72Bytes() => Assert.Empty(Check(new string('a', 72)));

    [Fact]
    public void RefusesMoreThan72BytesWithAClearMessage()
    {
        var errors = Check(new string('a', 73));
        Assert.Contains("72 bytes", Assert.Single(errors["password"]), StringComparison.Ordinal);
    }

    [Fact]
    public void CountsBytesNotCharacters()
    {
        // 25 three-byte characters = 75 bytes although only 25 characters.
        Assert.NotEmpty(Check(new string('€', 25)));
        Assert.Empty(Check(new string('€', 24)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1234567")]
    [InlineData("abc\0defgh")]
    public void RefusesMissingShortOrNul(string? password) => Assert.NotEmpty(Check(password));

    [Fact]
    public void CountsCharactersByRuneSoEmojiAreOneEach() =>
        Assert.NotEmpty(Check(string.Concat(Enumerable.Repeat("😀", 7))));
}
