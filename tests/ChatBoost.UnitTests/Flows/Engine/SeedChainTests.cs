using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

/// <summary>The seed README's node examples, chained as one flow: send_message -> wait -> condition -> webhook_action.</summary>
public class SeedChainTests
{
    private static readonly FlowProgram Seed = ProgramWithEntry(100,
        Node(100, FlowNodeTypes.SendMessage, """{"message_type": "text", "content": {"text": "Hello {{contact.first_name}}!"}, "next": 1}"""),
        Node(1, FlowNodeTypes.Wait, """{"duration": 5, "unit": "minutes", "next": 2}"""),
        Node(2, FlowNodeTypes.Condition, """{"variable": "state.user_response", "operator": "==", "value": "yes", "true_path": 3, "false_path": 4}"""),
        Node(3, FlowNodeTypes.WebhookAction, """
            {
              "url": "https://api.example.com/webhook",
              "method": "POST",
              "headers": {"Authorization": "Bearer {{state.api_token}}"},
              "body": {"data": "{{state.user_data}}"},
              "store_response_in": "state.api_result",
              "next": 5
            }
            """),
        SendText(4, "Maybe another time, {{contact.first_name}}.", null),
        SendText(5, "You are in, {{contact.first_name}}: ticket {{state.api_result.ticket}}.", null));

    private const string Initial = """{"user_response":"Yes","api_token":"tok","user_data":"Ana <ana@example.com>"}""";

    [Fact]
    public void TheSeedExamplesRunEndToEnd()
    {
        var contact = Contact("Ana Souza");
        var started = Start(Seed, contact, Initial);
        Assert.Equal("Hello Ana!", SentText(started));

        var sent = Sent(Seed, started, T0.AddSeconds(1), contact);
        Assert.Equal((ExecutionStatus.Waiting, 1L, T0.AddSeconds(1).AddMinutes(5)), (sent.State.Status, sent.State.CurrentNodeId!.Value, sent.State.WakeAt!.Value));
        Assert.Empty(sent.Effects);

        var early = Apply(Seed, sent.State, new WakeUpEvent(), T0.AddMinutes(5), contact);
        AssertUnchanged(sent.State, early);

        var woke = Apply(Seed, sent.State, new WakeUpEvent(), T0.AddMinutes(6), contact);
        var call = SingleEffect<CallWebhookEffect>(woke);
        Assert.Equal(("POST", "https://api.example.com/webhook", """{"data":"Ana <ana@example.com>"}"""), (call.Method, call.Url, call.JsonBody));
        Assert.Equal("Bearer tok", Assert.Single(call.Headers).Value);
        Assert.Equal(["wait_ended", "branch", "webhook_called"], woke.Logs.Select(l => l.Event));

        var answered = Apply(Seed, woke.State, new WebhookCompletedEvent(true, 201, Json("""{"ticket":"T-9"}"""), null), T0.AddMinutes(6), contact);
        Assert.Equal("You are in, Ana: ticket T-9.", SentText(answered));

        var done = Sent(Seed, answered, T0.AddMinutes(6), contact);
        AssertCompleted(done);
        Assert.Equal(5, done.State.TotalSteps);
        Assert.Equal(T0, done.State.StartedAt);
    }

    [Fact]
    public void TheOtherAnswerTakesTheFalsePath()
    {
        var started = Start(Seed, variablesJson: """{"user_response":"no"}""");
        var woke = Apply(Seed, Sent(Seed, started).State, new WakeUpEvent(), T0.AddMinutes(5));
        Assert.Equal("Maybe another time, Ana.", SentText(woke));
        Assert.Contains(woke.Logs, l => l.Detail == "condition state.user_response == \"yes\" -> false_path (node 4)");
    }
}
