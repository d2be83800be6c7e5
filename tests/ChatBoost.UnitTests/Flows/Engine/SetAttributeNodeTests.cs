using ChatBoost.Grains.Contacts.Attributes;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class SetAttributeNodeTests
{
    [Theory]
    [InlineData("string", "{{contact.first_name}} from {{state.city}}", "Ana from Porto")]
    [InlineData("string", "", "")]
    [InlineData("number", "25", "25")]
    [InlineData("number", "{{state.amount}}", "-1500")]
    [InlineData("number", " {{state.text_number}} ", "2.5")]
    [InlineData("boolean", "true", "true")]
    [InlineData("boolean", "{{state.flag}}", "false")]
    [InlineData("json", """{"city": "{{state.city}}", "n": [1, 2]}""", """{"city":"Porto","n":[1,2]}""")]
    [InlineData("json", "{{state.obj}}", """{"a":[1,{"b":null}]}""")]
    public void EveryValueTypeIsConvertedAndEmitted(string type, string value, string canonical)
    {
        var program = Program(SetAttribute(1, "my.key-1", value, type, 2), SendText(2, "{{contact.attribute.my.key-1}}!", null));
        var outcome = Start(program, variablesJson: """{"city":"Porto","amount":-1.5e3,"text_number":"2.50","flag":"FALSE","obj":{"a":[1,{"b":null}]}}""");

        Assert.Equal(2, outcome.Effects.Count);
        var set = Assert.IsType<SetAttributeEffect>(outcome.Effects[0]);
        Assert.Equal(new SetAttributeEffect("my.key-1", new AttributeValue(type, canonical)), set);
        Assert.IsType<SendMessageEffect>(outcome.Effects[1]);
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.AttributeSet);
        Assert.Equal($"attribute 'my.key-1' set ({type}) -> next (node 2)", log.Detail);
        if (canonical.Length > 0)
        {
            Assert.Equal(canonical + "!", SentText(outcome));
        }
    }

    [Theory]
    [InlineData("number", "{{state.word}}", "set_attribute node 1: attribute 'age' (number): the value is not a number.")]
    [InlineData("number", "{{state.nothing}}", "set_attribute node 1: attribute 'age' (number): an empty value is not a number.")]
    [InlineData("boolean", "{{state.word}}", "set_attribute node 1: attribute 'age' (boolean): the value is not a boolean (use true or false).")]
    [InlineData("json", "{{state.word}}", "set_attribute node 1: attribute 'age' (json): the value is not valid JSON.")]
    public void AValueThatDoesNotConvertFailsTheExecution(string type, string value, string reason)
    {
        var program = Program(SetAttribute(1, "age", value, type, 2), SendText(2, "x", null));
        var outcome = Start(program, variablesJson: """{"word":"secret-ish"}""");
        AssertFailed(outcome, 1, reason);
        Assert.Equal(reason, outcome.State.Error);
        Assert.Empty(outcome.Effects);
        Assert.DoesNotContain(outcome.Logs, l => l.Detail.Contains("secret-ish", StringComparison.Ordinal));
    }

    [Fact]
    public void LaterNodesOfTheSameRunSeeTheNewValue()
    {
        var program = Program(
            SetAttribute(1, "age", "30", "number", 2),
            Condition(2, "contact.attribute.age", ">", "29", 3, 4),
            SendText(3, "older: {{contact.attribute.age}}", null),
            SendText(4, "younger", null));
        var outcome = Start(program, Contact("Ana", ("age", "number", "20")));
        Assert.Equal("older: 30", SentText(outcome));
    }

    [Fact]
    public void AttributeValuesNeverReachTheLogs()
    {
        var program = Program(SetAttribute(1, "token", "tok-123456", "string", null));
        var outcome = Start(program);
        AssertCompleted(outcome);
        Assert.DoesNotContain(outcome.Logs, l => l.Detail.Contains("tok-123456", StringComparison.Ordinal));
    }

    [Fact]
    public void AContactCannotGrowPastTheAttributeLimit()
    {
        var attributes = Enumerable.Range(0, AttributeValues.MaxAttributesPerContact).Select(i => ($"a{i}", "string", "v")).ToArray();
        var full = Contact("Ana", attributes);
        var program = Program(SetAttribute(1, "a5", "updated", "string", 2), SetAttribute(2, "new_one", "x", "string", null));
        var outcome = Start(program, full);
        Assert.Equal(new SetAttributeEffect("a5", new AttributeValue("string", "updated")), Assert.Single(outcome.Effects));
        AssertFailed(outcome, 2, $"the contact already has {AttributeValues.MaxAttributesPerContact} attributes");
    }

    [Fact]
    public void TheSeedAttributeExamplesRun()
    {
        var program = Program(
            Node(1, FlowNodeTypes.SetAttribute, """{"attribute_key": "last_interaction", "attribute_value": "{{state.current_time}}", "value_type": "string", "next": 2}"""),
            Node(2, FlowNodeTypes.SetAttribute, """{"attribute_key": "age", "attribute_value": "25", "value_type": "number", "next": null}"""));
        var outcome = Start(program);
        AssertCompleted(outcome);
        Assert.Equal(
            [new SetAttributeEffect("last_interaction", new AttributeValue("string", "2026-01-15T09:30:00Z")), new SetAttributeEffect("age", new AttributeValue("number", "25"))],
            outcome.Effects);
    }
}
