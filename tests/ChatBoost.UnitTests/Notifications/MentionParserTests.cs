using ChatBoost.Grains.Notifications;

namespace ChatBoost.UnitTests.Notifications;

public class MentionParserTests
{
    [Fact]
    public void Mentions_are_at_signs_followed_by_addresses_normalized_distinct_in_order()
    {
        var mentions = MentionParser.Parse("Hi @Ana@Example.com and @bob@example.org. Again @ana@example.com, cc @c.d+x@sub.example.io!");
        Assert.Equal(["ana@example.com", "bob@example.org", "c.d+x@sub.example.io"], mentions);
    }

    [Theory]
    [InlineData("mail ana@example.com please")]
    [InlineData("x@@ana@example.com")]
    [InlineData("@ana")]
    [InlineData("@ana@localhost")]
    [InlineData("")]
    public void Plain_addresses_and_handles_are_not_mentions(string text) => Assert.Empty(MentionParser.Parse(text));

    [Fact]
    public void At_most_twenty_are_taken()
    {
        var text = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"@u{i}@example.com"));
        Assert.Equal(MentionParser.MaxMentions, MentionParser.Parse(text).Count);
    }
}
