using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

public class ConditionValidationTests
{
    private const string Type = FlowNodeTypes.Condition;

    private static string Config(string op, string? value, string variable = "state.x") =>
        value is null
            ? $$"""{"variable": "{{variable}}", "operator": "{{op}}", "true_path": 2, "false_path": 3}"""
            : $$"""{"variable": "{{variable}}", "operator": "{{op}}", "value": {{value}}, "true_path": 2, "false_path": 3}""";

    [Theory]
    [InlineData("==", "\"yes\"")]
    [InlineData("==", "42")]
    [InlineData("==", "true")]
    [InlineData("!=", "\"{{contact.attribute.city}}\"")]
    [InlineData(">", "18")]
    [InlineData(">=", "0.5")]
    [InlineData("<", "\"{{state.limit}}\"")]
    [InlineData("<=", "-3")]
    [InlineData("contains", "\"pizza\"")]
    [InlineData("starts_with", "\"+44\"")]
    [InlineData("ends_with", "\".com\"")]
    [InlineData("in", "[\"a\", 1, true]")]
    [InlineData("is_set", null)]
    [InlineData("is_not_set", null)]
    public void EveryOperatorAcceptsItsValueShape(string op, string? value) => AssertValid(Type, Config(op, value));

    [Theory]
    [InlineData("contact.phone")]
    [InlineData("contact.attribute.vip.level")]
    [InlineData("state.api_result.order.id")]
    [InlineData("now")]
    public void VariablesUseThePlaceholderGrammar(string variable) => AssertValid(Type, Config("is_set", null, variable));

    [Theory]
    [InlineData("{{state.x}}")]
    [InlineData("user_response")]
    [InlineData("state.")]
    [InlineData("contact.age")]
    public void MalformedVariablesAreRefused(string variable) =>
        AssertSingleError(Type, Config("is_set", null, variable), FlowProblemCodes.InvalidVariable, "config.variable");

    [Fact]
    public void VariableIsRequired() =>
        AssertSingleError(Type, """{"operator": "is_set"}""", FlowProblemCodes.MissingField, "config.variable");

    [Fact]
    public void OperatorIsRequired() =>
        AssertSingleError(Type, """{"variable": "state.x"}""", FlowProblemCodes.MissingField, "config.operator");

    [Theory]
    [InlineData("=")]
    [InlineData("equals")]
    [InlineData("IN")]
    public void UnknownOperatorsAreRefused(string op) =>
        AssertSingleError(Type, Config(op, "1"), FlowProblemCodes.InvalidValue, "config.operator");

    [Fact]
    public void ValueIsRequiredExceptForPresenceTests() =>
        AssertSingleError(Type, Config("==", null), FlowProblemCodes.MissingField, "config.value");

    [Fact]
    public void PresenceTestsTakeNoValue() =>
        AssertSingleError(Type, Config("is_set", "\"x\""), FlowProblemCodes.FieldNotAllowed, "config.value");

    [Theory]
    [InlineData(">", "\"10\"")]
    [InlineData("<", "true")]
    [InlineData(">=", "[1]")]
    public void OrderingNeedsANumber(string op, string value) =>
        AssertSingleError(Type, Config(op, value), FlowProblemCodes.InvalidType, "config.value");

    [Theory]
    [InlineData("contains", "5")]
    [InlineData("starts_with", "true")]
    public void TextMatchesNeedAString(string op, string value) =>
        AssertSingleError(Type, Config(op, value), FlowProblemCodes.InvalidType, "config.value");

    [Fact]
    public void TextMatchesNeedANonEmptyString() =>
        AssertSingleError(Type, Config("contains", "\"\""), FlowProblemCodes.EmptyValue, "config.value");

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("[1]")]
    public void EqualityNeedsAScalar(string value) =>
        AssertSingleError(Type, Config("==", value), FlowProblemCodes.InvalidType, "config.value");

    [Fact]
    public void InNeedsANonEmptyArray()
    {
        AssertSingleError(Type, Config("in", "\"a\""), FlowProblemCodes.InvalidType, "config.value");
        AssertSingleError(Type, Config("in", "[]"), FlowProblemCodes.EmptyValue, "config.value");
    }

    [Fact]
    public void InValuesAreScalars() =>
        AssertSingleError(Type, Config("in", "[\"a\", null]"), FlowProblemCodes.InvalidType, "config.value[1]");

    [Fact]
    public void InTakesAtMostOneHundredValues() =>
        AssertSingleError(Type, Config("in", "[" + string.Join(",", Enumerable.Range(1, 101)) + "]"), FlowProblemCodes.TooManyItems, "config.value");

    [Fact]
    public void PlaceholdersInTheValueAreChecked() =>
        AssertSingleError(Type, Config("==", "\"{{state.x\""), FlowProblemCodes.PlaceholderUnclosed, "config.value");

    [Fact]
    public void CaseSensitiveMustBeBoolean() =>
        AssertSingleError(Type, """{"variable": "state.x", "operator": "is_set", "case_sensitive": 1}""", FlowProblemCodes.InvalidType, "config.case_sensitive");

    [Fact]
    public void BranchesMustBeNodesOfTheFlow()
    {
        var problems = Validate(Type, """{"variable": "state.x", "operator": "is_set", "true_path": 10, "false_path": 11}""");
        Assert.Equal(
            [(FlowProblemCodes.UnknownReference, "config.true_path"), (FlowProblemCodes.UnknownReference, "config.false_path")],
            problems.Select(p => (p.Code, p.Field)));
    }

    [Fact]
    public void AConditionParses()
    {
        var condition = Parse<ConditionConfig>(Type, """{"variable": "state.age", "operator": ">=", "value": 18, "case_sensitive": true, "true_path": 2}""");
        Assert.Equal((PlaceholderKind.State, "age", ">=", 18, true), (condition.Variable.Kind, condition.Variable.Name, condition.Operator,
            condition.Value!.Value.GetInt32(), condition.CaseSensitive));
        Assert.Equal([new NodeBranch("true_path", 2), new NodeBranch("false_path", null)], condition.Branches);
        Assert.Equal(JsonValueKind.Number, condition.Value.Value.ValueKind);
    }
}
