using ChatBoost.Grains.Interfaces.Triggers;
using ChatBoost.Grains.Triggers;
using ChatBoost.Grains.Triggers.Matching;

namespace ChatBoost.UnitTests.Triggers;

/// <summary>A bot's own opt keywords: validation, and classification with them.</summary>
public class OptKeywordRulesTests
{
    private static string[] Fields(IReadOnlyList<string?>? optOut, IReadOnlyList<string?>? optIn) =>
        [.. OptKeywordRules.Check(optOut, optIn).Select(p => p.Field)];

    [Fact]
    public void DefaultsAndSensibleListsPass()
    {
        Assert.Empty(Fields(null, null));
        Assert.Empty(Fields(["HALT", "stop"], ["RESUME"]));
        Assert.Empty(Fields(["HALT"], []));
    }

    [Fact]
    public void EachRuleNamesItsField()
    {
        Assert.Equal(["opt_out_keywords"], Fields([], null)); // a contact must always be able to stop
        Assert.Equal(["opt_out_keywords[1]"], Fields(["HALT", "   "], null));
        Assert.Equal(["opt_out_keywords[1]"], Fields(["HALT", "halt "], null));
        Assert.Equal(["opt_in_keywords[0]"], Fields(["HALT"], [new string('x', 51)]));
        Assert.Equal(["opt_in_keywords[1]"], Fields(["HALT"], ["GO", "halt"]));
        Assert.Equal(["opt_out_keywords"], Fields(["START"], null)); // START is a default opt-in keyword
        Assert.Equal(["opt_in_keywords"], Fields(["HALT"], [.. Enumerable.Range(0, 51).Select(i => $"k{i}")]));
        Assert.Equal(["opt_out_keywords[0]"], Fields([null], null));
    }

    [Fact]
    public void ABotsOwnKeywordsReplaceTheDefaults()
    {
        var own = new BotOptKeywords(["HALT", "Basta"], ["WEITER"]).Compile();
        Assert.Equal(OptIntent.OptOut, own.Classify("  halt "));
        Assert.Equal(OptIntent.OptOut, own.Classify("BASTA"));
        Assert.Null(own.Classify("STOP")); // no longer an opt-out for this bot
        Assert.Equal(OptIntent.OptIn, own.Classify("weiter"));
        Assert.Null(own.Classify("START"));
        var defaults = BotOptKeywords.Defaults.Compile();
        Assert.Equal(OptIntent.OptOut, defaults.Classify("stop"));
        Assert.Equal(OptIntent.OptIn, defaults.Classify("Unstop"));
        Assert.Equal(OptIntent.OptIn, new BotOptKeywords(["HALT"], null).Compile().Classify("start")); // null keeps that list's defaults
    }
}
