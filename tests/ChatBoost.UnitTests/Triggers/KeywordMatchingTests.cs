using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.UnitTests.Triggers;

public class KeywordMatchingTests
{
    [Theory]
    // exact
    [InlineData("exact", false, "hello", "hello", true)]
    [InlineData("exact", false, "hello", "HELLO", true)]
    [InlineData("exact", true, "hello", "HELLO", false)]
    [InlineData("exact", true, "Hello", "Hello", true)]
    [InlineData("exact", false, "hello", "hello there", false)]
    [InlineData("exact", false, "hello", "  hello \n", true)]
    [InlineData("exact", false, "hello there", "hello   there", true)]
    [InlineData("exact", false, "hello", "ｈｅｌｌｏ", true)] // full-width letters (NFKC)
    [InlineData("exact", true, "café", "cafe\u0301", true)] // composed = decomposed
    [InlineData("exact", false, "hi", "hi!", false)]
    // contains
    [InlineData("contains", false, "price", "What is the PRICE?", true)]
    [InlineData("contains", true, "price", "What is the PRICE?", false)]
    [InlineData("contains", true, "price", "the price?", true)]
    [InlineData("contains", false, "two words", "say two\u00a0 words now", true)] // no-break space collapses
    [InlineData("contains", false, "price", "prize", false)]
    // starts_with
    [InlineData("starts_with", false, "order", "ORDER 1234", true)]
    [InlineData("starts_with", true, "order", "ORDER 1234", false)]
    [InlineData("starts_with", false, "order", "   order 1234", true)] // trimmed first
    [InlineData("starts_with", false, "order", "my order", false)]
    // ends_with
    [InlineData("ends_with", false, "thanks", "ok THANKS", true)]
    [InlineData("ends_with", true, "thanks", "ok THANKS", false)]
    [InlineData("ends_with", false, "thanks", "ok thanks   ", true)]
    [InlineData("ends_with", false, "thanks", "thanks ok", false)]
    // regex
    [InlineData("regex", false, "^order\\s+\\d{4}$", "ORDER 1234", true)]
    [InlineData("regex", true, "^order\\s+\\d{4}$", "ORDER 1234", false)]
    [InlineData("regex", true, "^order \\d{4}$", "order  1234", true)] // runs on the normalised text
    [InlineData("regex", false, "^(hi|hey)\\b", "hey you", true)]
    [InlineData("regex", false, "^(hi|hey)\\b", "they", false)]
    public void EachMatchTypeHonoursCaseAndNormalisation(string matchType, bool caseSensitive, string keyword, string message, bool matches)
    {
        var matcher = new KeywordMatcher([KeywordRule.Create(1, 10, 0, matchType, caseSensitive, false, [keyword])]);
        var match = matcher.Match(message);
        Assert.Equal(matches, match is not null);
        if (match is not null)
        {
            Assert.Equal(matchType, match.MatchType);
            Assert.Equal(1, match.TriggerId);
            Assert.Equal(10, match.FlowId);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task ACatastrophicPatternReturnsInBoundedTime()
    {
        // (a+)+$ against 50 a's and a '!' takes a backtracking engine about 2^50 steps; the non-backtracking one is linear.
        var rule = KeywordRule.Create(1, 1, 0, MatchTypes.Regex, false, false, ["(a+)+$"]);
        var text = new string('a', 50) + "!";
        var result = await Task.Run(() => rule.FirstMatch(text));
        Assert.Null(result);
        Assert.Equal("(a+)+$", await Task.Run(() => rule.FirstMatch(new string('a', 50))));
    }

    [Theory]
    [InlineData("(a)\\1")] // back-reference
    [InlineData("hello(?=world)")] // look-ahead
    [InlineData("(unclosed")]
    public void APatternTheEngineCannotRunIsAProblem(string pattern) =>
        Assert.NotNull(KeywordRule.RegexProblem(pattern, caseSensitive: false));

    [Fact]
    public void APlainPatternHasNoProblem() => Assert.Null(KeywordRule.RegexProblem("^order \\d+$", caseSensitive: true));

    [Fact]
    public void HigherPriorityWinsThenLowerId()
    {
        var matcher = new KeywordMatcher(
        [
            KeywordRule.Create(5, 50, 1, MatchTypes.Contains, false, false, ["hey"]),
            KeywordRule.Create(3, 30, 10, MatchTypes.Exact, false, false, ["hey"]),
            KeywordRule.Create(2, 20, 10, MatchTypes.StartsWith, false, false, ["he"]),
            KeywordRule.Create(9, 90, 20, MatchTypes.Exact, false, false, ["bye"]),
        ]);

        Assert.Equal(2, matcher.Match("HEY")!.TriggerId); // priority 10 ties; id 2 < id 3
        Assert.Equal(5, matcher.Match("oh hey")!.TriggerId); // only the contains rule matches
        Assert.Equal(9, matcher.Match("bye")!.TriggerId);
        Assert.Null(matcher.Match("nothing"));
        Assert.Null(matcher.Match("   "));
    }

    [Fact]
    public void AnExactHitOutranksLowerScannedRulesAndLosesToHigherOnes()
    {
        var matcher = new KeywordMatcher(
        [
            KeywordRule.Create(1, 1, 5, MatchTypes.Contains, false, false, ["menu"]),
            KeywordRule.Create(2, 2, 7, MatchTypes.Exact, true, false, ["menu"]),
            KeywordRule.Create(3, 3, 9, MatchTypes.Regex, false, false, ["^men"]),
        ]);

        Assert.Equal(3, matcher.Match("menu")!.TriggerId);
        var withoutRegex = new KeywordMatcher(matcher.Rules.Where(r => r.TriggerId != 3));
        var match = withoutRegex.Match("menu")!;
        Assert.Equal(2, match.TriggerId);
        Assert.Equal("menu", match.Keyword);
        Assert.Equal(1, withoutRegex.Match("MENU")!.TriggerId); // the exact rule is case-sensitive
    }

    [Fact]
    public void ThousandTriggersAgreeWithALinearScan()
    {
        var types = MatchTypes.All;
        var rules = Enumerable.Range(1, 1000)
            .Select(i => KeywordRule.Create(i, i, i % 7, types[i % types.Count], i % 2 == 0, false,
                [types[i % types.Count] == MatchTypes.Regex ? $"^kw{i % 50}\\b" : $"kw{i % 50}"]))
            .ToList();
        var matcher = new KeywordMatcher(rules);
        var ranked = rules.OrderByDescending(r => r.Priority).ThenBy(r => r.TriggerId).ToList();
        var checkedAny = 0;
        foreach (var message in Enumerable.Range(0, 60).SelectMany(i => new[] { $"kw{i}", $"KW{i}", $"say kw{i}", $"kw{i} please", "none" }))
        {
            var expected = ranked.FirstOrDefault(r => r.FirstMatch(KeywordText.Normalize(message)) is not null)?.TriggerId;
            Assert.Equal(expected, matcher.Match(message)?.TriggerId);
            checkedAny += expected is null ? 0 : 1;
        }

        Assert.True(checkedAny > 100);
    }

    [Theory]
    [InlineData("STOP", OptIntent.OptOut)]
    [InlineData(" stop ", OptIntent.OptOut)]
    [InlineData("Unsubscribe", OptIntent.OptOut)]
    [InlineData("end", OptIntent.OptOut)]
    [InlineData("QUIT", OptIntent.OptOut)]
    [InlineData("cancel", OptIntent.OptOut)]
    [InlineData("optout", OptIntent.OptOut)]
    [InlineData("START", OptIntent.OptIn)]
    [InlineData("unstop", OptIntent.OptIn)]
    [InlineData("stop please", null)]
    [InlineData("hello", null)]
    [InlineData("", null)]
    public void DefaultOptKeywordsAreWholeMessages(string message, OptIntent? expected) =>
        Assert.Equal(expected, OptKeywords.Default.Classify(message));

    [Fact]
    public void ABotsOwnOptKeywordsReplaceTheDefaultsAndOptOutWinsATie()
    {
        var keywords = new OptKeywords(["basta", "both"], ["ciao", "both"]);
        Assert.Equal(OptIntent.OptOut, keywords.Classify("BASTA"));
        Assert.Equal(OptIntent.OptIn, keywords.Classify("ciao"));
        Assert.Equal(OptIntent.OptOut, keywords.Classify("both"));
        Assert.Null(keywords.Classify("stop"));
    }
}
