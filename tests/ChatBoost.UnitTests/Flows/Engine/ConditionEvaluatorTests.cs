using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

/// <summary>Every operator on state values and on every attribute type, as docs/flows.md defines them.</summary>
public class ConditionEvaluatorTests
{
    private const string State = """
        {"s":"Yes","n":25,"ns":" 25 ","f":1.5,"b":true,"bs":"TRUE","fs":"false","arr":["red","Green",3,null],"obj":{"a":1},
         "empty":"","nul":null,"limit":20,"word":"yes","nested":{"items":[{"qty":3}]}}
        """;

    private static readonly ContactContext Person = Contact("Ana Maria Souza",
        ("city", "string", "Lisbon"),
        ("age", "number", "25"),
        ("score", "number", "-1.5"),
        ("vip", "boolean", "true"),
        ("optin", "boolean", "false"),
        ("prefs", "json", """{"lang":"pt","tags":["a","b"]}"""),
        ("list", "json", """["x","Y",7]"""),
        ("quoted", "json", "\"hello\""),
        ("jnull", "json", "null"),
        ("blank", "string", ""));

    private static bool Evaluate(string variable, string op, string? valueJson, bool caseSensitive = false)
    {
        var json = $$"""{"variable":{{Q(variable)}},"operator":{{Q(op)}}{{(valueJson is null ? "" : $",\"value\":{valueJson}")}},"case_sensitive":{{(caseSensitive ? "true" : "false")}},"true_path":null,"false_path":null}""";
        var condition = FlowTestKit.Parse<ConditionConfig>(FlowNodeTypes.Condition, json);
        var variables = Vars(State);
        return ConditionEvaluator.Evaluate(condition, r => FlowRendering.Resolve(r, Person, variables, T0),
            text => FlowRendering.Render(text, Person, variables, T0));
    }

    [Theory]
    // Strings: as text, ignoring case.
    [InlineData("state.s", "\"yes\"", true)]
    [InlineData("state.s", "\"no\"", false)]
    [InlineData("state.s", "\"{{state.word}}\"", true)]
    [InlineData("state.s", "true", false)]
    [InlineData("state.s", "1", false)]
    // Numbers: numerically when the value is a number, as text when it is a string.
    [InlineData("state.n", "25", true)]
    [InlineData("state.n", "25.0", true)]
    [InlineData("state.n", "2.5e1", true)]
    [InlineData("state.n", "26", false)]
    [InlineData("state.n", "\"25\"", true)]
    [InlineData("state.n", "\"25.0\"", false)]
    [InlineData("state.n", "true", false)]
    [InlineData("state.ns", "25", true)]
    [InlineData("state.ns", "\"25\"", false)]
    [InlineData("state.f", "1.5", true)]
    [InlineData("state.f", "\"1.5\"", true)]
    // Booleans: the boolean, or the string true/false in any case.
    [InlineData("state.b", "true", true)]
    [InlineData("state.b", "false", false)]
    [InlineData("state.b", "\"TRUE\"", true)]
    [InlineData("state.bs", "true", true)]
    [InlineData("state.fs", "false", true)]
    [InlineData("state.fs", "true", false)]
    [InlineData("state.b", "1", false)]
    // Objects and arrays: as compact JSON text.
    [InlineData("state.obj", "\"{\\\"a\\\":1}\"", true)]
    [InlineData("state.nested.items.0.qty", "3", true)]
    // Missing (absent or null): false.
    [InlineData("state.missing", "\"x\"", false)]
    [InlineData("state.nul", "\"\"", false)]
    [InlineData("state.missing", "false", false)]
    // Attributes of each type.
    [InlineData("contact.attribute.city", "\"lisbon\"", true)]
    [InlineData("contact.attribute.age", "25", true)]
    [InlineData("contact.attribute.age", "\"25\"", true)]
    [InlineData("contact.attribute.age", "24", false)]
    [InlineData("contact.attribute.score", "-1.5", true)]
    [InlineData("contact.attribute.vip", "true", true)]
    [InlineData("contact.attribute.vip", "\"true\"", true)]
    [InlineData("contact.attribute.optin", "false", true)]
    [InlineData("contact.attribute.optin", "true", false)]
    [InlineData("contact.attribute.prefs", "\"{\\\"lang\\\":\\\"pt\\\",\\\"tags\\\":[\\\"a\\\",\\\"b\\\"]}\"", true)]
    [InlineData("contact.attribute.prefs.lang", "\"pt\"", false)]
    [InlineData("contact.attribute.quoted", "\"HELLO\"", true)]
    [InlineData("contact.attribute.jnull", "\"null\"", false)]
    [InlineData("contact.attribute.unknown", "\"\"", false)]
    [InlineData("contact.attribute.blank", "\"\"", true)]
    // Contact fields and now are strings.
    [InlineData("contact.phone", "\"15551234567\"", true)]
    [InlineData("contact.phone", "15551234567", true)]
    [InlineData("contact.first_name", "\"ana\"", true)]
    [InlineData("contact.last_name", "\"Maria Souza\"", true)]
    [InlineData("contact.name", "\"Ana Maria Souza\"", true)]
    [InlineData("now", "\"2026-01-15T09:30:00Z\"", true)]
    public void EqualAndNotEqual(string variable, string value, bool expected)
    {
        Assert.Equal(expected, Evaluate(variable, "==", value));
        Assert.Equal(!expected, Evaluate(variable, "!=", value));
    }

    [Theory]
    [InlineData("state.s", "\"yes\"", false)]
    [InlineData("state.s", "\"Yes\"", true)]
    [InlineData("contact.attribute.city", "\"lisbon\"", false)]
    [InlineData("state.arr", "\"green\"", false)]
    [InlineData("state.arr", "\"Green\"", true)]
    public void CaseSensitiveComparisons(string variable, string value, bool expected)
    {
        var op = variable == "state.arr" ? "contains" : "==";
        Assert.Equal(expected, Evaluate(variable, op, value, caseSensitive: true));
    }

    [Theory]
    [InlineData("state.n", ">", "20", true)]
    [InlineData("state.n", ">", "25", false)]
    [InlineData("state.n", ">=", "25", true)]
    [InlineData("state.n", "<", "30", true)]
    [InlineData("state.n", "<=", "24", false)]
    [InlineData("state.n", "<=", "25", true)]
    [InlineData("state.ns", ">", "20", true)]
    [InlineData("state.f", "<", "2", true)]
    [InlineData("state.f", ">", "-1e3", true)]
    [InlineData("state.n", ">", "\"{{state.limit}}\"", true)]
    [InlineData("state.n", "<", "\"{{state.limit}}\"", false)]
    [InlineData("state.n", ">", "\"{{state.s}}\"", false)]
    [InlineData("state.n", ">", "\"{{state.missing}}\"", false)]
    [InlineData("state.s", ">", "1", false)]
    [InlineData("state.s", "<", "1", false)]
    [InlineData("state.b", ">", "0", false)]
    [InlineData("state.obj", ">", "0", false)]
    [InlineData("state.missing", "<", "5", false)]
    [InlineData("state.missing", ">=", "-5", false)]
    [InlineData("contact.attribute.age", ">=", "18", true)]
    [InlineData("contact.attribute.age", "<", "18", false)]
    [InlineData("contact.attribute.score", "<", "0", true)]
    [InlineData("contact.attribute.city", ">", "0", false)]
    [InlineData("contact.attribute.vip", ">", "0", false)]
    [InlineData("contact.attribute.prefs", ">", "0", false)]
    [InlineData("contact.phone", ">", "1000", true)]
    [InlineData("now", ">", "0", false)]
    public void OrderingComparesNumbersOnly(string variable, string op, string value, bool expected) =>
        Assert.Equal(expected, Evaluate(variable, op, value));

    [Theory]
    [InlineData("state.s", "\"ES\"", true)]
    [InlineData("state.s", "\"x\"", false)]
    [InlineData("state.s", "\"{{state.missing}}\"", false)]
    [InlineData("state.n", "\"5\"", true)]
    [InlineData("state.b", "\"ru\"", true)]
    [InlineData("state.arr", "\"green\"", true)]
    [InlineData("state.arr", "\"3\"", true)]
    [InlineData("state.arr", "\"re\"", false)]
    [InlineData("state.arr", "\"null\"", false)]
    [InlineData("state.obj", "\"\\\"a\\\"\"", true)]
    [InlineData("state.missing", "\"x\"", false)]
    [InlineData("state.nul", "\"n\"", false)]
    [InlineData("contact.attribute.city", "\"isb\"", true)]
    [InlineData("contact.attribute.age", "\"2\"", true)]
    [InlineData("contact.attribute.vip", "\"TRU\"", true)]
    [InlineData("contact.attribute.prefs", "\"lang\"", true)]
    [InlineData("contact.attribute.list", "\"y\"", true)]
    [InlineData("contact.attribute.list", "\"7\"", true)]
    [InlineData("contact.attribute.list", "\"x\\\",\"", false)]
    [InlineData("contact.name", "\"maria\"", true)]
    [InlineData("now", "\"2026-01\"", true)]
    public void Contains(string variable, string value, bool expected) => Assert.Equal(expected, Evaluate(variable, "contains", value));

    [Theory]
    [InlineData("state.s", "starts_with", "\"ye\"", true)]
    [InlineData("state.s", "starts_with", "\"es\"", false)]
    [InlineData("state.s", "ends_with", "\"ES\"", true)]
    [InlineData("state.s", "ends_with", "\"ye\"", false)]
    [InlineData("state.n", "starts_with", "\"2\"", true)]
    [InlineData("state.f", "ends_with", "\".5\"", true)]
    [InlineData("state.b", "starts_with", "\"t\"", true)]
    [InlineData("state.arr", "starts_with", "\"[\\\"red\"", true)]
    [InlineData("state.missing", "starts_with", "\"a\"", false)]
    [InlineData("state.missing", "ends_with", "\"a\"", false)]
    [InlineData("state.s", "starts_with", "\"{{state.missing}}\"", false)]
    [InlineData("state.s", "starts_with", "\"{{state.word}}\"", true)]
    [InlineData("contact.attribute.city", "ends_with", "\"BON\"", true)]
    [InlineData("contact.attribute.age", "ends_with", "\"5\"", true)]
    [InlineData("contact.attribute.optin", "starts_with", "\"f\"", true)]
    [InlineData("contact.attribute.prefs", "starts_with", "\"{\"", true)]
    [InlineData("contact.phone", "starts_with", "\"1555\"", true)]
    [InlineData("contact.first_name", "ends_with", "\"na\"", true)]
    public void StartsAndEndsWith(string variable, string op, string value, bool expected) =>
        Assert.Equal(expected, Evaluate(variable, op, value));

    [Theory]
    [InlineData("state.s", "[\"no\",\"YES\"]", true)]
    [InlineData("state.s", "[\"no\",\"maybe\"]", false)]
    [InlineData("state.n", "[1,25]", true)]
    [InlineData("state.n", "[\"25\"]", true)]
    [InlineData("state.n", "[1,2]", false)]
    [InlineData("state.b", "[false,true]", true)]
    [InlineData("state.b", "[false]", false)]
    [InlineData("state.s", "[\"{{state.word}}\"]", true)]
    [InlineData("state.missing", "[\"x\",1,true]", false)]
    [InlineData("contact.attribute.city", "[\"porto\",\"LISBON\"]", true)]
    [InlineData("contact.attribute.age", "[18,25]", true)]
    [InlineData("contact.attribute.age", "[18]", false)]
    [InlineData("contact.attribute.vip", "[true]", true)]
    [InlineData("contact.attribute.optin", "[true]", false)]
    [InlineData("contact.attribute.quoted", "[\"hello\"]", true)]
    [InlineData("contact.attribute.prefs", "[\"pt\"]", false)]
    public void In(string variable, string value, bool expected) => Assert.Equal(expected, Evaluate(variable, "in", value));

    [Theory]
    [InlineData("state.s", true)]
    [InlineData("state.n", true)]
    [InlineData("state.b", true)]
    [InlineData("state.fs", true)]
    [InlineData("state.obj", true)]
    [InlineData("state.arr", true)]
    [InlineData("state.empty", false)]
    [InlineData("state.nul", false)]
    [InlineData("state.missing", false)]
    [InlineData("state.nested.items.0.qty", true)]
    [InlineData("state.nested.items.5.qty", false)]
    [InlineData("contact.attribute.city", true)]
    [InlineData("contact.attribute.age", true)]
    [InlineData("contact.attribute.optin", true)]
    [InlineData("contact.attribute.prefs", true)]
    [InlineData("contact.attribute.jnull", false)]
    [InlineData("contact.attribute.blank", false)]
    [InlineData("contact.attribute.unknown", false)]
    [InlineData("contact.name", true)]
    [InlineData("contact.last_name", true)]
    [InlineData("now", true)]
    [InlineData("state.current_time", true)]
    public void IsSetAndIsNotSet(string variable, bool set)
    {
        Assert.Equal(set, Evaluate(variable, "is_set", null));
        Assert.Equal(!set, Evaluate(variable, "is_not_set", null));
    }

    [Fact]
    public void AOneWordNameHasNoLastName()
    {
        var contact = Contact("Cher");
        var condition = FlowTestKit.Parse<ConditionConfig>(FlowNodeTypes.Condition,
            """{"variable":"contact.last_name","operator":"is_set","true_path":null,"false_path":null}""");
        Assert.False(ConditionEvaluator.Evaluate(condition, r => FlowRendering.Resolve(r, contact, Vars("{}"), T0), t => t));
    }
}
