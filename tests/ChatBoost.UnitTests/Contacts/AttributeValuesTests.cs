using System.Text.Json;
using ChatBoost.Grains.Contacts.Attributes;

namespace ChatBoost.UnitTests.Contacts;

public class AttributeValuesTests
{
    [Theory]
    [InlineData("string", "Lisbon", "Lisbon")]
    [InlineData("string", "  spaced  ", "  spaced  ")]
    [InlineData("string", "", "")]
    [InlineData("string", "😀", "😀")]
    [InlineData("number", "25", "25")]
    [InlineData("number", " 25 ", "25")]
    [InlineData("number", "25.0", "25")]
    [InlineData("number", "1.50", "1.5")]
    [InlineData("number", "-1.5e3", "-1500")]
    [InlineData("number", "1E2", "100")]
    [InlineData("number", "-0", "0")]
    [InlineData("number", "0.1", "0.1")]
    [InlineData("number", "1e-7", "1E-07")]
    [InlineData("number", "1e21", "1E+21")]
    [InlineData("number", "9007199254740992", "9007199254740992")]
    [InlineData("number", "1e-400", "0")]
    [InlineData("boolean", "true", "true")]
    [InlineData("boolean", " FALSE ", "false")]
    [InlineData("boolean", "True", "true")]
    [InlineData("json", """{ "a" : [1, 2.50, "ü"], "b": null }""", """{"a":[1,2.50,"ü"],"b":null}""")]
    [InlineData("json", " 42 ", "42")]
    [InlineData("json", "\"text\"", "\"text\"")]
    [InlineData("json", "null", "null")]
    [InlineData("json", "[]", "[]")]
    [InlineData("json", """{"html":"<b>&</b>"}""", """{"html":"<b>&</b>"}""")]
    public void ValuesAreNormalized(string type, string raw, string canonical)
    {
        Assert.True(AttributeValues.TryNormalize(type, raw, out var value, out var error), error);
        Assert.Null(error);
        Assert.Equal(new AttributeValue(type, canonical), value);
    }

    [Theory]
    [InlineData("number", "abc", "'abc' is not a number.")]
    [InlineData("number", "", "an empty value is not a number.")]
    [InlineData("number", "   ", "an empty value is not a number.")]
    [InlineData("number", "NaN", "'NaN' is not a number.")]
    [InlineData("number", "Infinity", "'Infinity' is not a number.")]
    [InlineData("number", "+5", "'+5' is not a number.")]
    [InlineData("number", ".5", "'.5' is not a number.")]
    [InlineData("number", "5.", "'5.' is not a number.")]
    [InlineData("number", "0x10", "'0x10' is not a number.")]
    [InlineData("number", "1,5", "'1,5' is not a number.")]
    [InlineData("number", "1 000", "'1 000' is not a number.")]
    [InlineData("number", "01", "'01' is not a number.")]
    [InlineData("number", "1e400", "'1e400' is too large for a number.")]
    [InlineData("number", "12345678901234567890", "'12345678901234567890' has more digits than a number keeps exactly; store it as a string.")]
    [InlineData("number", "9007199254740993", "'9007199254740993' has more digits than a number keeps exactly; store it as a string.")]
    [InlineData("boolean", "yes", "'yes' is not a boolean (use true or false).")]
    [InlineData("boolean", "1", "'1' is not a boolean (use true or false).")]
    [InlineData("boolean", "", "an empty value is not a boolean (use true or false).")]
    [InlineData("json", "{", "'{' is not valid JSON.")]
    [InlineData("json", "{'a':1}", "'{'a':1}' is not valid JSON.")]
    [InlineData("json", "", "an empty value is not valid JSON.")]
    [InlineData("json", "[1,]", "'[1,]' is not valid JSON.")]
    [InlineData("xml", "<a/>", "'xml' is not an attribute type; use one of: string, number, boolean, json.")]
    public void InvalidValuesAreRefusedWithAReadableReason(string type, string raw, string error)
    {
        Assert.False(AttributeValues.TryNormalize(type, raw, out var value, out var actual));
        Assert.Null(value);
        Assert.Equal(error, actual);
    }

    [Fact]
    public void ErrorsCanLeaveTheValueOut()
    {
        Assert.False(AttributeValues.TryNormalize("number", "secret", quoteValue: false, out _, out var error));
        Assert.Equal("the value is not a number.", error);
    }

    [Fact]
    public void LongValuesAreShortenedInErrors()
    {
        Assert.False(AttributeValues.TryNormalize("number", new string('x', 80), out _, out var error));
        Assert.Equal($"'{new string('x', 50)}…' is not a number.", error);
    }

    [Fact]
    public void JsonNestedTooDeeplyIsRefused()
    {
        var ok = new string('[', 32) + new string(']', 32);
        Assert.True(AttributeValues.TryNormalize("json", ok, out _, out _));
        var deep = new string('[', 33) + new string(']', 33);
        Assert.False(AttributeValues.TryNormalize("json", deep, out _, out var error));
        Assert.EndsWith("is nested deeper than 32 levels.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLengthLimitCountsCharactersOfTheCanonicalText()
    {
        Assert.True(AttributeValues.TryNormalize("string", new string('a', AttributeValues.MaxValueLength), out _, out _));
        Assert.True(AttributeValues.TryNormalize("string", string.Concat(Enumerable.Repeat("😀", AttributeValues.MaxValueLength)), out _, out _));
        Assert.False(AttributeValues.TryNormalize("string", new string('a', AttributeValues.MaxValueLength + 1), out _, out var error));
        Assert.Equal("the value is longer than 4096 characters.", error);

        // Whitespace that compacting removes does not count.
        var spaced = "[" + new string(' ', 5000) + "1]";
        Assert.True(AttributeValues.TryNormalize("json", spaced, out var compact, out _));
        Assert.Equal("[1]", compact!.Value);
        Assert.False(AttributeValues.TryNormalize("json", "\"" + new string('a', 4095) + "\"", out _, out _));
    }

    [Theory]
    [InlineData("age", true)]
    [InlineData("preferred_language", true)]
    [InlineData("a.b-c_D9", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("ünï", false)]
    [InlineData("a{b}", false)]
    public void KeysFollowThePlaceholderGrammar(string key, bool valid) => Assert.Equal(valid, AttributeValues.IsValidKey(key));

    [Fact]
    public void KeysAreAtMost64Characters()
    {
        Assert.True(AttributeValues.IsValidKey(new string('k', 64)));
        Assert.False(AttributeValues.IsValidKey(new string('k', 65)));
    }

    [Theory]
    [InlineData("string", "25", JsonValueKind.String, "\"25\"")]
    [InlineData("number", "25", JsonValueKind.Number, "25")]
    [InlineData("number", "-1.5", JsonValueKind.Number, "-1.5")]
    [InlineData("boolean", "true", JsonValueKind.True, "true")]
    [InlineData("boolean", "false", JsonValueKind.False, "false")]
    [InlineData("json", """{"a":[1,"b"]}""", JsonValueKind.Object, """{"a":[1,"b"]}""")]
    [InlineData("json", "\"hi\"", JsonValueKind.String, "\"hi\"")]
    [InlineData("json", "null", JsonValueKind.Null, "null")]
    [InlineData("number", "not-a-number", JsonValueKind.String, "\"not-a-number\"")]
    [InlineData("json", "{broken", JsonValueKind.String, "\"{broken\"")]
    [InlineData("mystery", "x", JsonValueKind.String, "\"x\"")]
    public void ToJsonIsTyped(string type, string stored, JsonValueKind kind, string json)
    {
        var element = AttributeValues.ToJson(new AttributeValue(type, stored));
        Assert.Equal(kind, element.ValueKind);
        Assert.Equal(json, element.GetRawText());
    }

    [Fact]
    public void TheLimits()
    {
        Assert.Equal((4096, 100), (AttributeValues.MaxValueLength, AttributeValues.MaxAttributesPerContact));
    }
}
