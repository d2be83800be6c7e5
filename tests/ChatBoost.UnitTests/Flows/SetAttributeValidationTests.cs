using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class SetAttributeValidationTests
{
    private const string Type = FlowNodeTypes.SetAttribute;

    private static string Config(string key, string value, string valueType) =>
        $$"""{"attribute_key": "{{key}}", "attribute_value": {{value}}, "value_type": "{{valueType}}", "next": 2}""";

    [Theory]
    [InlineData("\"hello\"", "string")]
    [InlineData("\"\"", "string")]
    [InlineData("\"25\"", "number")]
    [InlineData("\"-1.5e3\"", "number")]
    [InlineData("\"true\"", "boolean")]
    [InlineData("\"false\"", "boolean")]
    [InlineData("\"{\\\"theme\\\": \\\"dark\\\"}\"", "json")]
    [InlineData("\"[1, 2]\"", "json")]
    [InlineData("\"{{state.n}}\"", "number")]
    [InlineData("\"{{state.flag}}\"", "boolean")]
    public void LiteralsMatchingTheirTypeAreValid(string value, string valueType) => AssertValid(Type, Config("k", value, valueType));

    [Theory]
    [InlineData("\"abc\"", "number")]
    [InlineData("\"1,5\"", "number")]
    [InlineData("\" 25\"", "number")]
    [InlineData("\"NaN\"", "number")]
    [InlineData("\"1e999\"", "number")]
    [InlineData("\"yes\"", "boolean")]
    [InlineData("\"True\"", "boolean")]
    [InlineData("\"{bad json\"", "json")]
    public void LiteralsNotMatchingTheirTypeAreRefused(string value, string valueType) =>
        AssertSingleError(Type, Config("k", value, valueType), FlowProblemCodes.InvalidLiteral, "config.attribute_value");

    [Fact]
    public void ValueTypeDefaultsToString() =>
        Assert.Equal("string", Parse<SetAttributeConfig>(Type, """{"attribute_key": "k", "attribute_value": "v"}""").ValueType);

    [Fact]
    public void ValueTypeMustBeKnown() =>
        AssertSingleError(Type, Config("k", "\"1\"", "integer"), FlowProblemCodes.InvalidValue, "config.value_type");

    [Fact]
    public void ValueMustBeAString() =>
        AssertSingleError(Type, Config("k", "25", "number"), FlowProblemCodes.InvalidType, "config.attribute_value");

    [Fact]
    public void ValueIsRequired() =>
        AssertSingleError(Type, """{"attribute_key": "k"}""", FlowProblemCodes.MissingField, "config.attribute_value");

    [Fact]
    public void KeyIsRequired() =>
        AssertSingleError(Type, """{"attribute_value": "v"}""", FlowProblemCodes.MissingField, "config.attribute_key");

    [Fact]
    public void KeyMustNotBeEmpty() =>
        AssertSingleError(Type, Config("", "\"v\"", "string"), FlowProblemCodes.EmptyValue, "config.attribute_key");

    [Fact]
    public void KeyIsAtMost64Characters()
    {
        AssertValid(Type, Config(new string('k', 64), "\"v\"", "string"));
        AssertSingleError(Type, Config(new string('k', 65), "\"v\"", "string"), FlowProblemCodes.TooLong, "config.attribute_key");
    }

    [Theory]
    [InlineData("first name")]
    [InlineData("city/town")]
    [InlineData("{{state.key}}")]
    [InlineData("café")]
    public void KeyCharactersAreRestricted(string key) =>
        AssertSingleError(Type, Config(key, "\"v\"", "string"), FlowProblemCodes.InvalidValue, "config.attribute_key");

    [Theory]
    [InlineData("preferred_language")]
    [InlineData("vip.level-2")]
    public void KeysWithLettersDigitsUnderscoreDotDashAreValid(string key) => AssertValid(Type, Config(key, "\"v\"", "string"));

    [Fact]
    public void ValuePlaceholdersAreChecked() =>
        AssertSingleError(Type, Config("k", "\"{{ }}\"", "string"), FlowProblemCodes.PlaceholderEmpty, "config.attribute_value");
}
