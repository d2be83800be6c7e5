using System.Text.Json;
using ChatBoost.Grains.Flows.Definition;
using ChatBoost.Grains.Flows.Engine;
using static ChatBoost.UnitTests.Flows.Engine.EngineKit;

namespace ChatBoost.UnitTests.Flows.Engine;

public class WebhookNodeTests
{
    private static readonly FlowProgram SeedFlow = Program(
        Node(1, FlowNodeTypes.WebhookAction, """
            {"url": "https://api.example.com/webhook", "method": "POST",
             "headers": {"Authorization": "Bearer {{state.api_token}}"}, "body": {"data": "{{state.user_data}}"},
             "store_response_in": "state.api_result", "next": 5}
            """),
        SendText(5, "Order {{state.api_result.order.id}} is {{state.api_result.order.status}}", null));

    private static StepOutcome Answer(FlowProgram program, StepOutcome previous, bool success, int? status, string? body, string? error = null) =>
        Apply(program, previous.State, new WebhookCompletedEvent(success, status, body is null ? null : Json(body), error));

    [Fact]
    public void TheSeedWebhookIsCalledWithRenderedHeadersAndAnEscapedJsonBody()
    {
        var outcome = Start(SeedFlow, variablesJson: """{"api_token":"s3cr3t","user_data":"Ann \"The Hammer\" <b>\\ \n ünï"}""");
        Assert.Equal((ExecutionStatus.Running, PendingEffectKind.Webhook, 1L), (outcome.State.Status, outcome.State.PendingEffect!.Value, outcome.State.CurrentNodeId!.Value));
        var call = SingleEffect<CallWebhookEffect>(outcome);
        Assert.Equal((1L, "POST", "https://api.example.com/webhook", TimeSpan.FromSeconds(10)), (call.NodeId, call.Method, call.Url, call.Timeout));
        Assert.Equal([new KeyValuePair<string, string>("Authorization", "Bearer s3cr3t")], call.Headers);
        using var body = JsonDocument.Parse(call.JsonBody!);
        Assert.Equal("Ann \"The Hammer\" <b>\\ \n ünï", body.RootElement.GetProperty("data").GetString());

        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.WebhookCalled);
        Assert.Equal("POST https://api.example.com/webhook (timeout 10 s)", log.Detail);
        Assert.DoesNotContain(outcome.Logs, l => l.Detail.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public void BodyStructureAndNonStringValuesAreKept()
    {
        var program = Program(Node(1, FlowNodeTypes.WebhookAction, """
            {"url":"https://api.example.com/x","method":"PUT","timeout_seconds":30,
             "body":{"n":1.50,"ok":true,"none":null,"list":["{{contact.phone}}",2,{"k":"{{contact.first_name}}"}],"{{state.k}}":"{{state.k}}"}}
            """));
        var call = SingleEffect<CallWebhookEffect>(Start(program, variablesJson: """{"k":"v"}"""));
        Assert.Equal(("PUT", TimeSpan.FromSeconds(30)), (call.Method, call.Timeout));
        Assert.Equal("""{"n":1.50,"ok":true,"none":null,"list":["15551234567",2,{"k":"Ana"}],"{{state.k}}":"v"}""", call.JsonBody);
    }

    [Fact]
    public void UrlPlaceholdersArePercentEncoded()
    {
        var program = Program(Node(1, FlowNodeTypes.WebhookAction,
            """{"url":"https://api.example.com/users/{{state.id}}?phone={{contact.phone}}&q={{state.q}}","method":"GET"}"""));
        var call = SingleEffect<CallWebhookEffect>(Start(program, Contact("Ana") with { Phone = "+351 912" }, """{"id":"a/b","q":"x&y=z#"}"""));
        Assert.Equal("https://api.example.com/users/a%2Fb?phone=%2B351%20912&q=x%26y%3Dz%23", call.Url);
        Assert.Null(call.JsonBody);
    }

    [Fact]
    public void AHeaderValueThatRendersALineBreakFailsTheStep()
    {
        var program = Program(Node(1, FlowNodeTypes.WebhookAction,
            """{"url":"https://api.example.com/x","headers":{"X-Name":"{{state.name}}"}}"""));
        var outcome = Start(program, variablesJson: """{"name":"a\r\nX-Evil: 1"}""");
        AssertFailed(outcome, 1, "webhook_action node 1: the value of header 'X-Name' holds a line break");
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void AJsonResponseIsStoredAndUsableByPath()
    {
        var called = Start(SeedFlow);
        var outcome = Answer(SeedFlow, called, true, 200, """{"order":{"id":42,"status":"shipped"}}""");
        Assert.Equal("""{"order":{"id":42,"status":"shipped"}}""", VariableJson(outcome.State, "api_result"));
        Assert.Equal("Order 42 is shipped", SentText(outcome));
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.WebhookSucceeded);
        Assert.Equal("HTTP 200; response stored in state.api_result -> next (node 5)", log.Detail);
        Assert.Equal(5, outcome.State.CurrentNodeId);
    }

    [Fact]
    public void ATextResponseIsStoredAsAString()
    {
        var outcome = Answer(SeedFlow, Start(SeedFlow), true, 200, "\"OK, done\"");
        Assert.Equal("OK, done", outcome.State.Variables["api_result"].GetString());
        Assert.Equal("Order  is ", SentText(outcome));
        Assert.Equal(2, outcome.Logs.Count(l => l.Event == StepLogEvents.PlaceholderMissing));
    }

    [Fact]
    public void AnEmptyResponseIsStoredAsNull()
    {
        var outcome = Answer(SeedFlow, Start(SeedFlow), true, 204, null);
        Assert.Equal(JsonValueKind.Null, outcome.State.Variables["api_result"].ValueKind);
    }

    [Fact]
    public void WithoutStoreResponseInNothingIsStored()
    {
        var program = Program(Webhook(1, null));
        var outcome = Answer(program, Start(program), true, 200, """{"a":1}""");
        AssertCompleted(outcome);
        Assert.Empty(outcome.State.Variables);
    }

    [Fact]
    public void AFailureFollowsErrorPathAndRecordsTheReason()
    {
        var program = Program(Webhook(1, 2, errorPath: 3, store: "state.result"), SendText(2, "ok", null), SendText(3, "Sorry: {{state.webhook_error}}", null));
        var outcome = Answer(program, Start(program), false, 503, null, "Service Unavailable");
        Assert.Equal("Sorry: HTTP 503: Service Unavailable", SentText(outcome));
        Assert.False(outcome.State.Variables.ContainsKey("result"));
        Assert.Equal("\"HTTP 503: Service Unavailable\"", VariableJson(outcome.State, FlowInterpreter.WebhookErrorVariable));
        var log = Assert.Single(outcome.Logs, l => l.Event == StepLogEvents.WebhookFailed);
        Assert.Equal(StepLogLevels.Warning, log.Level);
        Assert.Contains("-> error_path (node 3)", log.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ATimeoutWithoutStatusIsReportedAsGiven()
    {
        var program = Program(Webhook(1, 2, errorPath: 3), SendText(2, "ok", null), SendText(3, "{{state.webhook_error}}", null));
        var outcome = Answer(program, Start(program), false, null, null, "timed out after 10 s");
        Assert.Equal("timed out after 10 s", SentText(outcome));
    }

    [Fact]
    public void AFailureWithoutErrorPathFailsTheExecution()
    {
        var program = Program(Webhook(1, 2), SendText(2, "ok", null));
        var outcome = Answer(program, Start(program), false, 500, null);
        AssertFailed(outcome, 1, "webhook_action node 1: HTTP 500");
        Assert.Equal("webhook_action node 1: HTTP 500", outcome.State.Error);
        Assert.Empty(outcome.Effects);
    }

    [Fact]
    public void ASuccessClearsAnEarlierWebhookError()
    {
        var program = Program(Webhook(1, null, errorPath: 2), WaitSeconds(2, 60, 1));
        var failed = Answer(program, Start(program), false, 500, null);
        Assert.True(failed.State.Variables.ContainsKey(FlowInterpreter.WebhookErrorVariable));
        var retried = Apply(program, failed.State, new WakeUpEvent(), T0.AddMinutes(1));
        SingleEffect<CallWebhookEffect>(retried);
        var succeeded = Apply(program, retried.State, new WebhookCompletedEvent(true, 200, null, null), T0.AddMinutes(1));
        AssertCompleted(succeeded);
        Assert.False(succeeded.State.Variables.ContainsKey(FlowInterpreter.WebhookErrorVariable));
    }

    [Fact]
    public void WebhookResultsAreIgnoredUnlessACallIsPending()
    {
        var program = Program(SendText(1, "hi", null));
        var sending = Start(program).State;
        var outcome = Apply(program, sending, new WebhookCompletedEvent(true, 200, null, null));
        AssertUnchanged(sending, outcome);
        Assert.Equal(StepLogEvents.Ignored, Assert.Single(outcome.Logs).Event);

        var webhook = Program(Webhook(1, null));
        var calling = Start(webhook).State;
        var wrong = Apply(webhook, calling, new SendCompletedEvent(true, null));
        AssertUnchanged(calling, wrong);
    }

    [Fact]
    public void AResponseThatOverflowsTheVariablesFailsWithoutKeepingIt()
    {
        var program = Program(Webhook(1, null, store: "state.big"));
        var limits = ExecutionLimits.Default with { MaxVariablesBytes = 1000 };
        var called = Start(program, limits: limits);
        var body = Json($$"""{"blob":"{{new string('x', 2000)}}"}""");
        var outcome = Apply(program, called.State, new WebhookCompletedEvent(true, 200, body, null), limits: limits);
        AssertFailed(outcome, 1, "over the limit of 1000 bytes");
        Assert.Contains("the webhook response in state.big", outcome.State.Error, StringComparison.Ordinal);
        Assert.False(outcome.State.Variables.ContainsKey("big"));
    }
}
