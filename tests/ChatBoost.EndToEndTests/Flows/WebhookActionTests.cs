using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Flows.FlowEngineFixture;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>
/// <c>webhook_action</c> run by the real silo: calls to the allow-listed <see cref="TestTarget"/> (JSON, text, errors,
/// timeouts, size cap) and every spelling of a forbidden destination refused by the SSRF guard before any byte is sent.
/// </summary>
[Collection(FlowEngineCollection.Name)]
public class WebhookActionTests(FlowEngineFixture fixture)
{
    private TestTarget Target => fixture.Target;

    /// <summary>A published one-webhook flow, its execution run to its end, and which branch it took.</summary>
    private sealed record WebhookRun(long ExecutionId, JsonNode Execution, JsonObject[] Logs, long Webhook, long OnNext, long OnError)
    {
        public string Status => FlowEngineFixture.Status(Execution);

        public JsonNode? State(string name) => Execution["state"]![name];

        /// <summary>The set_attribute node that ran after the webhook: <see cref="OnNext"/>, <see cref="OnError"/> or null.</summary>
        public long? Branch => Logs.Where(l => l["event"]!.GetValue<string>() == "attribute_set").Select(l => l["node_id"]!.GetValue<long>()).Cast<long?>().SingleOrDefault();
    }

    /// <summary>
    /// Runs webhook_action <paramref name="webhook"/> (branches filled in here) for a new contact: next → set_attribute
    /// <c>webhook_outcome = ok</c>; error_path (unless <paramref name="errorPath"/> is false) → set_attribute
    /// <paramref name="errorAttribute"/> = the failure reason.
    /// </summary>
    private async Task<WebhookRun> RunAsync(JsonObject webhook, object? initialState = null, bool errorPath = true, string errorAttribute = "webhook_outcome")
    {
        var flowId = await fixture.NewFlowAsync(fixture.BotId, "Webhook " + Guid.NewGuid().ToString("N")[..6]);
        var onNext = await fixture.NodeAsync(flowId, "set_attribute", new { attribute_key = "webhook_outcome", attribute_value = "ok" });
        var onError = await fixture.NodeAsync(flowId, "set_attribute", new { attribute_key = errorAttribute, attribute_value = "{{state.webhook_error}}" });
        webhook["next"] = onNext;
        webhook["error_path"] = errorPath ? onError : null;
        var node = await fixture.NodeAsync(flowId, "webhook_action", webhook);
        if (!errorPath)
        {
            // A published flow has no dead nodes: the error node hangs off the success node instead.
            await fixture.UpdateNodeAsync(onNext, "set_attribute", new { attribute_key = "webhook_outcome", attribute_value = "ok", next = onError });
        }

        await fixture.PublishAsync(flowId, node);
        var started = await fixture.ExecuteAsync(fixture.BotId, flowId, NewPhone(), initialState);
        var id = started["id"]!.GetValue<long>();
        var execution = await fixture.WaitForEndAsync(id);
        return new WebhookRun(id, execution, await fixture.LogsAsync(id), node, onNext, onError);
    }

    private async Task AssertAsync(bool condition, string message, WebhookRun run)
    {
        if (!condition)
        {
            Assert.Fail(message + "\n" + await fixture.DescribeAsync(run.ExecutionId, run.Execution));
        }
    }

    private async Task<string?> AttributeAsync(JsonNode execution, string key)
    {
        var contactId = execution["contact_id"]!.GetValue<long>();
        var (status, attribute, _) = await fixture.Http.GetJsonAsync($"/contacts/{contactId}/attributes/{key}", fixture.OwnerToken);
        return status == HttpStatusCode.OK ? attribute!["value"]!.GetValue<string>() : null;
    }

    // ---- The allow-listed target ----

    [Fact]
    public async Task AJsonAnswer_IsStoredParsed_AndTheNextBranchIsTaken()
    {
        var run = await RunAsync(
            new JsonObject
            {
                ["url"] = $"{Target.BaseUrl}/echo?source={{{{state.source}}}}",
                ["method"] = "PUT",
                ["headers"] = new JsonObject { ["Authorization"] = "Bearer {{state.token}}", ["X-Flow-Header"] = "{{contact.phone}}" },
                ["body"] = new JsonObject { ["data"] = "{{state.payload}}", ["n"] = 7, ["list"] = new JsonArray("a", "{{state.payload}}") },
                ["store_response_in"] = "state.result",
            },
            new { token = "w3bh00k-json", payload = "p-123", source = "e2e" });

        await AssertAsync(run.Status == "completed" && run.Branch == run.OnNext, "expected completed through next", run);
        var result = run.State("result")!;
        Assert.Equal("PUT", result["method"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"data":"p-123","n":7,"list":["a","p-123"]}"""), result["received"]), result.ToJsonString());
        Assert.Equal("Bearer w3bh00k-json", result["headers"]!["authorization"]!.GetValue<string>());
        Assert.Null(run.State("webhook_error"));

        var call = Assert.Single(Target.RequestsOn(Target.Port), r => r.Headers.GetValueOrDefault("authorization") == "Bearer w3bh00k-json");
        Assert.Equal("/echo?source=e2e", call.Path);
        Assert.Equal(run.Execution["contact_phone"]!.GetValue<string>(), call.Headers["x-flow-header"]);
        Assert.Equal("ok", await AttributeAsync(run.Execution, "webhook_outcome"));
    }

    [Fact]
    public async Task ATextAnswer_IsStoredAsAString()
    {
        var run = await RunAsync(new JsonObject { ["url"] = $"{Target.BaseUrl}/text", ["method"] = "GET", ["store_response_in"] = "state.text" });

        await AssertAsync(run.Status == "completed" && run.Branch == run.OnNext, "expected completed through next", run);
        var text = run.State("text");
        Assert.True(text is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String, run.Execution.ToJsonString());
        Assert.Equal(TestTarget.TextBody, text!.GetValue<string>());
    }

    [Fact]
    public async Task A500_TakesTheErrorPath_WithTheReason()
    {
        var before = Target.RequestsOn(Target.Port).Count(r => r.Path == "/status/500");
        var run = await RunAsync(new JsonObject { ["url"] = $"{Target.BaseUrl}/status/500", ["method"] = "POST", ["body"] = new JsonObject { ["x"] = 1 }, ["store_response_in"] = "state.result" });

        await AssertAsync(run.Status == "completed" && run.Branch == run.OnError, "expected completed through error_path", run);
        Assert.Contains("500", run.State("webhook_error")!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(run.State("result"));
        Assert.Contains("500", await AttributeAsync(run.Execution, "webhook_outcome") ?? "", StringComparison.Ordinal);
        Assert.Equal(before + 1, Target.RequestsOn(Target.Port).Count(r => r.Path == "/status/500"));
        Assert.Contains(run.Logs, l => l["event"]!.GetValue<string>() == "webhook_failed" && l["detail"]!.GetValue<string>().Contains("error_path", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAnswerSlowerThanTheTimeout_TakesTheErrorPath()
    {
        var run = await RunAsync(new JsonObject { ["url"] = $"{Target.BaseUrl}/slow", ["method"] = "GET", ["timeout_seconds"] = 1, ["store_response_in"] = "state.result" });

        await AssertAsync(run.Status == "completed" && run.Branch == run.OnError, "expected completed through error_path", run);
        Assert.Contains("timed out", run.State("webhook_error")!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(run.State("result"));
        Assert.Contains(Target.RequestsOn(Target.Port), r => r.Path == "/slow");
    }

    [Fact]
    public async Task AnAnswerOverTheSizeCap_FailsTheExecution_WithAndWithoutContentLength()
    {
        foreach (var path in new[] { "/big", "/big-chunked" })
        {
            var run = await RunAsync(new JsonObject { ["url"] = $"{Target.BaseUrl}{path}", ["method"] = "GET", ["store_response_in"] = "state.result" }, errorPath: false);

            await AssertAsync(run.Status == "failed" && run.Branch is null, $"{path}: expected failed without taking a branch", run);
            var error = run.Execution["error"]!.GetValue<string>();
            Assert.Contains("larger than", error, StringComparison.Ordinal);
            Assert.Contains($"node {run.Webhook}", error, StringComparison.Ordinal);
            Assert.Equal(run.Webhook, run.Execution["current_node_id"]!.GetValue<long>());
            Assert.Null(run.State("result"));
            Assert.Contains(Target.RequestsOn(Target.Port), r => r.Path == path);
        }
    }

    // ---- The SSRF guard ----

    [Fact]
    public async Task ForbiddenDestinations_AreRefused_AndReceiveNothing()
    {
        var canary = Target.CanaryPort;
        var refused = new List<string>
        {
            $"http://127.0.0.1:{canary}/",
            $"http://localhost:{canary}/",
            $"http://[::ffff:127.0.0.1]:{canary}/",
            $"http://0.0.0.0:{canary}/",
            $"http://2130706433:{canary}/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",

            // The canary listens on [::1] too when the machine has IPv6 loopback (Target.CanaryOnIpv6); without it the
            // call is still refused, only "nothing received" cannot be observed for this one.
            $"http://[::1]:{canary}/",
        };

        var secretHitsBefore = Target.RequestsOn(Target.SecretPort).Count;
        var redirectsBefore = Target.RequestsOn(Target.Port).Count(r => r.Path == "/redirect");

        // Each through error_path to a set_attribute that records the reason; 100.64.0.1 (CGNAT) without error_path fails.
        var runs = await Task.WhenAll(refused.Select(url => RunAsync(
            new JsonObject { ["url"] = url, ["method"] = "GET", ["timeout_seconds"] = 3 }, errorAttribute: "ssrf_refused")));
        var noErrorPath = await RunAsync(new JsonObject { ["url"] = "http://100.64.0.1/", ["method"] = "GET", ["timeout_seconds"] = 3 }, errorPath: false);
        var redirect = await RunAsync(
            new JsonObject { ["url"] = $"{Target.BaseUrl}/redirect", ["method"] = "GET", ["store_response_in"] = "state.result" }, errorAttribute: "ssrf_refused");

        foreach (var (url, run) in refused.Zip(runs))
        {
            await AssertAsync(run.Status == "completed" && run.Branch == run.OnError, $"{url}: expected completed through error_path", run);
            var reason = run.State("webhook_error")!.GetValue<string>();
            await AssertAsync(reason.Contains("refused", StringComparison.Ordinal), $"{url}: the reason does not say refused: {reason}", run);
            Assert.Contains("refused", await AttributeAsync(run.Execution, "ssrf_refused") ?? "", StringComparison.Ordinal);
        }

        await AssertAsync(noErrorPath.Status == "failed", "http://100.64.0.1/ without error_path: expected failed", noErrorPath);
        Assert.Contains("refused", noErrorPath.Execution["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(noErrorPath.Branch);

        // The allow-listed target answered 302 to a loopback address: an error, and the redirect is not followed.
        await AssertAsync(redirect.Status == "completed" && redirect.Branch == redirect.OnError, "/redirect: expected completed through error_path", redirect);
        var redirectReason = redirect.State("webhook_error")!.GetValue<string>();
        Assert.Contains("302", redirectReason, StringComparison.Ordinal);
        Assert.Contains("redirect", redirectReason, StringComparison.OrdinalIgnoreCase);
        Assert.Null(redirect.State("result"));
        Assert.Equal(redirectsBefore + 1, Target.RequestsOn(Target.Port).Count(r => r.Path == "/redirect"));

        // Nothing reached a refused listener, nor the redirect's destination.
        Assert.Empty(Target.RequestsOn(canary));
        Assert.Equal(secretHitsBefore, Target.RequestsOn(Target.SecretPort).Count);
    }

    [Fact]
    public async Task ANonHttpUrl_IsRefusedWhenTheNodeIsSaved()
    {
        var flowId = await fixture.NewFlowAsync(fixture.BotId, "File URL");
        foreach (var url in new[] { "file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.com/x" })
        {
            var (status, body, _) = await fixture.Http.PostJsonAsync("/bots/nodes/",
                new { flow_id = flowId, type = "webhook_action", config = new { url, method = "GET" } }, fixture.OwnerToken);
            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{url}: {status} {body?.ToJsonString()}");
            Assert.Contains("invalid_url", BotScenario.ProblemCodes(body));
        }

        var (_, flow, _) = await fixture.Http.GetJsonAsync($"/bots/flows/{flowId}", fixture.OwnerToken);
        Assert.Equal(0, flow!["node_count"]!.GetValue<int>());
    }
}
