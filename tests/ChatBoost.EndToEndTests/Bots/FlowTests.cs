using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Bots;

/// <summary>Flows: a draft of all five node types, validation, publish, immutable versions, templates.</summary>
[Collection(SystemCollection.Name)]
public class FlowTests(SharedSystemFixture fixture)
{
    private readonly ChatBoostSystem _system = fixture.System;

    private HttpClient Http => _system.Http;

    private async Task<(string Token, long BotId, long FlowId)> FlowAsync(string prefix)
    {
        var owner = await Http.NewUserAsync(prefix);
        var botId = await Http.CreateBotAsync(owner.Token);
        return (owner.Token, botId, await Http.CreateFlowAsync(owner.Token, botId));
    }

    [Fact]
    public async Task AFlowOfAllFiveNodeTypes_PublishesVersions_ThatNeverChange()
    {
        var (token, botId, flowId) = await FlowAsync("flow-five");

        // Built from the last node backwards, so every branch names a node that exists.
        var setAttribute = await Http.CreateNodeAsync(token, flowId, "set_attribute",
            new { attribute_key = "subscribed", attribute_value = "true", value_type = "boolean" }, "Remember");
        var webhook = await Http.CreateNodeAsync(token, flowId, "webhook_action", new
        {
            url = "https://api.example.com/subscribe",
            method = "POST",
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{state.api_token}}" },
            body = new { phone = "{{contact.phone}}" },
            store_response_in = "state.api_result",
            next = setAttribute,
        });
        var condition = await Http.CreateNodeAsync(token, flowId, "condition",
            new { variable = "state.answer", @operator = "==", value = "yes", true_path = webhook, false_path = (long?)null });
        var wait = await Http.CreateNodeAsync(token, flowId, "wait",
            new { until = "reply", timeout = 24, timeout_unit = "hours", store_response_in = "state.answer", next = condition });
        var send = await Http.CreateNodeAsync(token, flowId, "send_message", new
        {
            message_type = "interactive",
            content = new
            {
                type = "button",
                body = "Hi {{contact.first_name}}, join the club?",
                buttons = new[] { new { id = "yes", title = "Yes" }, new { id = "no", title = "No thanks" } },
            },
            next = wait,
        });

        // The default entry is the first node created (set_attribute), so the rest is unreachable until the entry is set.
        var (status, validation, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/validate", null, token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(validation!["valid"]!.GetValue<bool>());
        Assert.Equal(4, BotScenario.ProblemCodes(validation).Count(c => c == "unreachable_node"));
        var refused = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Equal(4, BotScenario.ProblemCodes(refused.Body).Count(c => c == "unreachable_node"));

        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/flows/{flowId}", new { entry_node_id = send }, token)).Status);
        (status, validation, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/validate", null, token);
        Assert.True(validation!["valid"]!.GetValue<bool>(), validation.ToJsonString());

        var (published, v1, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.Equal(HttpStatusCode.Created, published);
        Assert.Equal(1, v1!["version"]!.GetValue<int>());

        // Edit the draft, publish again.
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/nodes/{setAttribute}",
            new { type = "set_attribute", name = "Remember", config = new { attribute_key = "subscribed", attribute_value = "false", value_type = "boolean" } }, token)).Status);
        var (_, v2, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.Equal(2, v2!["version"]!.GetValue<int>());

        var (_, version1, _) = await Http.GetJsonAsync($"/bots/flows/{flowId}/versions/1", token);
        var (_, version2, _) = await Http.GetJsonAsync($"/bots/flows/{flowId}/versions/2", token);
        JsonNode? Value(JsonNode? version) => version!["definition"]!["nodes"]!.AsArray()
            .Single(n => n!["id"]!.GetValue<long>() == setAttribute)!["config"]!["attribute_value"];
        Assert.Equal("true", Value(version1)!.GetValue<string>());
        Assert.Equal("false", Value(version2)!.GetValue<string>());
        Assert.Equal(send, version1!["definition"]!["entry_node_id"]!.GetValue<long>());
        Assert.Equal(5, version1["node_count"]!.GetValue<int>());
        Assert.Equal(["send_message", "wait", "condition", "webhook_action", "set_attribute"],
            new[] { send, wait, condition, webhook, setAttribute }.Select(id => version2!["definition"]!["nodes"]!.AsArray().Single(n => n!["id"]!.GetValue<long>() == id)!["type"]!.GetValue<string>()));

        var (_, versions, _) = await Http.GetJsonAsync($"/bots/flows/{flowId}/versions", token);
        Assert.Equal([2, 1], versions!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/bots/flows/{flowId}/versions/3", token));

        var (_, flow, _) = await Http.GetJsonAsync($"/bots/flows/{flowId}", token);
        Assert.Equal(2, flow!["latest_version"]!.GetValue<int>());
        Assert.Equal(5, flow["nodes"]!.AsArray().Count);
        var (_, flows, _) = await Http.GetJsonAsync($"/bots/flows/?bot_id={botId}", token);
        Assert.Equal([flowId], flows!.AsArray().Select(f => f!["id"]!.GetValue<long>()));

        // A referenced node cannot be deleted; the referrers are listed.
        var (conflict, referrers, _) = await Http.DeleteAsync($"/bots/nodes/{wait}", token);
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        var referrer = Assert.Single(referrers!["problems"]!.AsArray());
        Assert.Equal(send, referrer!["node_id"]!.GetValue<long>());
        Assert.Equal("config.next", referrer["field"]!.GetValue<string>());

        // A deleted flow answers 404, versions included; its rows stay.
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/bots/flows/{flowId}", token)).Status);
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/bots/flows/{flowId}/versions/1", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/bots/nodes/{send}", token));
        await using var connection = await _system.OpenDatabaseAsync();
        await using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM flow_versions WHERE flow_id = {flowId}", connection);
        Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
    }

    public static TheoryData<string, string, string> InvalidNodes() => new()
    {
        // type, config JSON, the problem code the API reports.
        { "teleport", """{}""", "unknown_node_type" },
        { "send_message", """{"message_type": "text", "content": {}}""", "missing_field" },
        { "wait", """{"duration": 5, "unit": "minutes", "colour": "red"}""", "unknown_field" },
        { "wait", """{"duration": "5", "unit": "minutes"}""", "invalid_type" },
        { "wait", """{"duration": 5, "unit": "fortnights"}""", "invalid_value" },
        { "wait", """{"duration": 31, "unit": "days"}""", "out_of_range" },
        { "send_message", $$$"""{"message_type": "text", "content": {"text": "{{{new string('a', 4097)}}}"}}""", "too_long" },
        { "send_message", $$$"""{"message_type": "text", "content": {"text": "{{{new string('a', 17000)}}}"}}""", "config_too_large" },
        { "send_message", """{"message_type": "interactive", "content": {"type": "button", "body": "Pick", "buttons": [{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}]}}""", "too_many_items" },
        { "send_message", """{"message_type": "interactive", "content": {"type": "button", "body": "Pick", "buttons": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}}""", "duplicate_value" },
        { "send_message", """{"message_type": "media", "content": {"type": "audio", "id": "123", "caption": "no"}}""", "field_not_allowed" },
        { "webhook_action", """{"url": "ftp://files.example.com/x"}""", "invalid_url" },
        { "webhook_action", """{"url": "https://{{state.host}}/x"}""", "placeholder_not_allowed" },
        { "condition", """{"variable": "not a variable", "operator": "==", "value": "x"}""", "invalid_variable" },
        { "set_attribute", """{"attribute_key": "age", "attribute_value": "old", "value_type": "number"}""", "invalid_literal" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi {{contact.first_name"}}""", "placeholder_unclosed" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi {{ }}"}}""", "placeholder_empty" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi {{user.name}}"}}""", "placeholder_unknown_root" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi {{contact.email}}"}}""", "placeholder_unknown_field" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi {{state.9lives}}"}}""", "placeholder_invalid_name" },
        { "send_message", """{"message_type": "text", "content": {"text": "Hi"}, "next": 999999999999}""", "unknown_reference" },
    };

    [Theory]
    [MemberData(nameof(InvalidNodes))]
    public async Task AnInvalidNodeIsRefusedWithTheExactProblem(string type, string config, string code)
    {
        var (token, _, flowId) = await FlowAsync("flow-invalid");
        var body = $$"""{"flow_id": {{flowId}}, "type": "{{type}}", "config": {{config}}}""";
        var refused = await Http.CallAsync(Json(HttpMethod.Post, "/bots/nodes/", body, token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains(code, BotScenario.ProblemCodes(refused.Body));
        var problem = refused.Body!["problems"]!.AsArray().First(p => p!["code"]!.GetValue<string>() == code)!;
        Assert.Equal("error", problem["severity"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["field"]!.GetValue<string>()));

        // The same rule holds when an existing node is changed.
        var nodeId = await Http.CreateNodeAsync(token, flowId, "send_message", BotScenario.Text("fine"));
        var changed = await Http.CallAsync(Json(HttpMethod.Put, $"/bots/nodes/{nodeId}", $$"""{"type": "{{type}}", "config": {{config}}}""", token));
        AssertProblem(HttpStatusCode.UnprocessableEntity, changed);
        Assert.Contains(code, BotScenario.ProblemCodes(changed.Body));
    }

    [Fact]
    public async Task FlowRules_OnPublish_EmptyFlow_UnreachableNode_AndLoopWarning()
    {
        var (token, _, flowId) = await FlowAsync("flow-rules");
        var empty = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, empty);
        Assert.Equal(["missing_entry_node"], BotScenario.ProblemCodes(empty.Body));

        var first = await Http.CreateNodeAsync(token, flowId, "send_message", BotScenario.Text("one"));
        var second = await Http.CreateNodeAsync(token, flowId, "set_attribute", new { attribute_key = "k", attribute_value = "v" });
        var unreachable = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, unreachable);
        var problem = Assert.Single(unreachable.Body!["problems"]!.AsArray());
        Assert.Equal("unreachable_node", problem!["code"]!.GetValue<string>());
        Assert.Equal(second, problem["node_id"]!.GetValue<long>());

        // A loop without a wait is a warning: it does not block publishing and comes back with the success.
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/nodes/{first}", new { type = "send_message", config = BotScenario.Text("one", second) }, token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.PutJsonAsync($"/bots/nodes/{second}", new { type = "set_attribute", config = new { attribute_key = "k", attribute_value = "v", next = first } }, token)).Status);
        var (status, published, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(["cycle_without_wait"], BotScenario.ProblemCodes(new JsonObject { ["problems"] = published!["warnings"]!.DeepClone() }));

        // Deleting the explicit entry node resets the entry to the default; a node in another flow is not a valid entry.
        var (_, otherFlow, _) = await Http.GetJsonAsync($"/bots/flows/{flowId}", token);
        Assert.Equal(first, otherFlow!["resolved_entry_node_id"]!.GetValue<long>());
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PutJsonAsync($"/bots/flows/{flowId}", new { entry_node_id = 999_999_999_999 }, token));
    }

    [Fact]
    public async Task ATemplateIsValidated_AndInstantiatedWithFreshIdsAndRemappedBranches()
    {
        var owner = await Http.NewUserAsync("flow-template");
        var botId = await Http.CreateBotAsync(owner.Token);

        var invalid = await Http.PostJsonAsync("/bots/templates/", new
        {
            name = "Broken",
            nodes = new object[] { new { id = 1, type = "send_message", config = BotScenario.Text("hi", 7) } },
        }, owner.Token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, invalid);
        Assert.Equal(["unknown_reference"], BotScenario.ProblemCodes(invalid.Body));

        var (status, template, _) = await Http.PostJsonAsync("/bots/templates/", new
        {
            name = "Welcome",
            description = "Greets and asks",
            nodes = new object[]
            {
                new { id = 1, type = "send_message", config = BotScenario.Text("Welcome {{contact.first_name}}", 2) },
                new { id = 2, type = "wait", config = new { duration = 1, unit = "hours", next = 3 } },
                new { id = 3, type = "send_message", config = BotScenario.Text("Still there?") },
            },
        }, owner.Token);
        Assert.Equal(HttpStatusCode.Created, status);
        var templateId = template!["id"]!.GetValue<long>();
        var (_, templates, _) = await Http.GetJsonAsync("/bots/templates/", owner.Token);
        Assert.Contains(templates!.AsArray(), t => t!["id"]!.GetValue<long>() == templateId);

        var (created, flow, _) = await Http.PostJsonAsync($"/bots/templates/{templateId}/instantiate", new { bot_id = botId, name = "From template" }, owner.Token);
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("From template", flow!["name"]!.GetValue<string>());
        var nodes = flow["nodes"]!.AsArray();
        Assert.Equal(3, nodes.Count);
        var ids = nodes.Select(n => n!["id"]!.GetValue<long>()).ToArray();
        Assert.DoesNotContain(1L, ids);
        Assert.Equal(ids[1], nodes[0]!["config"]!["next"]!.GetValue<long>());
        Assert.Equal(ids[2], nodes[1]!["config"]!["next"]!.GetValue<long>());
        Assert.Equal(ids[0], flow["resolved_entry_node_id"]!.GetValue<long>());
        var (published, version, _) = await Http.PostJsonAsync($"/bots/flows/{flow["id"]!.GetValue<long>()}/publish", null, owner.Token);
        Assert.Equal(HttpStatusCode.Created, published);
        Assert.Equal(1, version!["version"]!.GetValue<int>());

        // A bot of another organization cannot use it.
        var stranger = await Http.NewUserAsync("flow-template-stranger");
        var strangerBot = await Http.CreateBotAsync(stranger.Token);
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync($"/bots/templates/{templateId}/instantiate", new { bot_id = strangerBot }, stranger.Token));
    }
}
