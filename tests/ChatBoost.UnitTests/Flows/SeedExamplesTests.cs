using ChatBoost.Grains.Flows.Definition;
using static ChatBoost.UnitTests.Flows.FlowTestKit;

namespace ChatBoost.UnitTests.Flows;

/// <summary>The node examples of the seed README ("Node Types", "Using Attributes in Flows") stay valid as written.</summary>
public class SeedExamplesTests
{
    [Fact]
    public void SendMessageExampleIsValid() => AssertValid(FlowNodeTypes.SendMessage, """
        {"message_type": "text", "content": {"text": "Hello {{contact.first_name}}!"}, "next": 1}
        """);

    [Fact]
    public void WaitExampleIsValid() => AssertValid(FlowNodeTypes.Wait, """
        {"duration": 5, "unit": "minutes", "next": 2}
        """);

    [Fact]
    public void ConditionExampleIsValid() => AssertValid(FlowNodeTypes.Condition, """
        {"variable": "state.user_response", "operator": "==", "value": "yes", "true_path": 3, "false_path": 4}
        """);

    [Fact]
    public void WebhookActionExampleIsValid() => AssertValid(FlowNodeTypes.WebhookAction, """
        {
          "url": "https://api.example.com/webhook",
          "method": "POST",
          "headers": {"Authorization": "Bearer {{state.api_token}}"},
          "body": {"data": "{{state.user_data}}"},
          "store_response_in": "state.api_result",
          "next": 5
        }
        """);

    [Fact]
    public void SetAttributeExampleIsValid() => AssertValid(FlowNodeTypes.SetAttribute, """
        {"attribute_key": "last_interaction", "attribute_value": "{{state.current_time}}", "value_type": "string", "next": 1}
        """);

    [Fact]
    public void InterpolationExampleIsValid() => AssertValid(FlowNodeTypes.SendMessage, """
        {
          "message_type": "text",
          "content": {"text": "Hello {{contact.first_name}}, your preferred language is {{contact.attribute.preferred_language}}"},
          "next": 2
        }
        """);

    [Fact]
    public void SeedWaitParsesToFiveMinutes()
    {
        var wait = Parse<WaitForDurationConfig>(FlowNodeTypes.Wait, """{"duration": 5, "unit": "minutes", "next": 2}""");
        Assert.Equal(TimeSpan.FromMinutes(5), wait.Delay);
        Assert.Equal([2L], wait.Successors);
    }
}
