using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Bots;
using ChatBoost.EndToEndTests.Contacts;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Flows;

/// <summary>The flow engine's REST surface: start, read, list, logs, statistics, cancel, resume and input.</summary>
[Collection(SystemCollection.Name)]
public class ExecutionApiTests(SharedSystemFixture fixture)
{
    private static readonly string[] Statuses = ["running", "waiting", "waiting_for_reply", "completed", "failed", "cancelled"];

    private readonly ChatBoostSystem _system = fixture.System;

    private HttpClient Http => _system.Http;

    private async Task<(string Token, long UserId, long BotId, long FlowId)> WaitFlowAsync(string prefix, bool untilReply = true)
    {
        var owner = await Http.NewUserAsync(prefix);
        var botId = await Http.CreateBotAsync(owner.Token);
        return (owner.Token, owner.Id, botId, await Http.CreateWaitFlowAsync(owner.Token, botId, untilReply));
    }

    [Fact]
    public async Task Execute_RefusesBadInput_FieldByField()
    {
        var (token, _, botId, flowId) = await WaitFlowAsync("execute-validation");
        var phone = ContactScenario.NewPhone();

        async Task<string[]> RefusedAsync(object body)
        {
            var result = await Http.PostJsonAsync("/flows/execute", body, token);
            AssertProblem(HttpStatusCode.UnprocessableEntity, result);
            return ErrorFields(result.Body!);
        }

        Assert.Equal(["status"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, status = "completed" }));
        Assert.Equal(["flow_id", "contact_phone", "bot_id"], await RefusedAsync(new { }));
        foreach (var bad in new[] { "12ab5678", "1234", "++15550001111", "123456789012345678901", " " })
        {
            Assert.Equal(["contact_phone"], await RefusedAsync(new { flow_id = flowId, contact_phone = bad, bot_id = botId }));
        }

        Assert.Equal(["flow_id"], await RefusedAsync(new { flow_id = 0, contact_phone = phone, bot_id = botId }));
        Assert.Equal(["flow_id"], await RefusedAsync(new { flow_id = "1", contact_phone = phone, bot_id = botId }));
        Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = "x" }));
        Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = new[] { 1 } }));
        Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = 5 }));
        foreach (var key in new[] { "1abc", "with space", "dash-ed", "", new string('k', 65) })
        {
            var state = new Dictionary<string, object> { [key] = 1 };
            Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = state }));
        }

        var manyKeys = Enumerable.Range(0, 101).ToDictionary(i => $"k{i}", i => (object)i);
        Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = manyKeys }));
        var large = new Dictionary<string, object> { ["blob"] = new string('x', 33 * 1024) };
        Assert.Equal(["initial_state"], await RefusedAsync(new { flow_id = flowId, contact_phone = phone, bot_id = botId, initial_state = large }));

        // Not JSON, no body.
        AssertProblem(HttpStatusCode.BadRequest, await Http.PostJsonAsync("/flows/execute", "{\"flow_id\": ", token));
        AssertProblem(HttpStatusCode.UnsupportedMediaType, await Http.PostJsonAsync("/flows/execute", null, token));

        // Nothing was started by any of it.
        var (_, list, _) = await Http.GetJsonAsync($"/flows/executions/contact/{phone}", token);
        Assert.Empty(list!.AsArray());
    }

    [Fact]
    public async Task Execute_IsNotFound_ForAnotherOrganizationsBotOrFlow_AndInvalid_WithoutAPublishedVersion()
    {
        var (token, _, botId, flowId) = await WaitFlowAsync("execute-scope");
        var (otherToken, _, otherBot, otherFlow) = await WaitFlowAsync("execute-scope-other");
        var phone = ContactScenario.NewPhone();

        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/execute", new { flow_id = otherFlow, contact_phone = phone, bot_id = otherBot }, token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/execute", new { flow_id = otherFlow, contact_phone = phone, bot_id = botId }, token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/execute", new { flow_id = flowId, contact_phone = phone, bot_id = otherBot }, token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/flows/execute", new { flow_id = long.MaxValue, contact_phone = phone, bot_id = botId }, token));

        // A draft that was never published.
        var draft = await Http.CreateFlowAsync(token, botId, "Draft");
        await Http.CreateNodeAsync(token, draft, "send_message", BotScenario.Text("Hi"));
        AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/flows/execute", new { flow_id = draft, contact_phone = phone, bot_id = botId }, token));

        // The other organization's execution is invisible too.
        var theirs = await Http.ExecuteAsync(otherToken, otherBot, otherFlow, phone);
        var theirId = theirs["id"]!.GetValue<long>();
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/executions/{theirId}", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/executions/{theirId}/logs", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync($"/flows/executions/{theirId}/cancel", null, token));
        var (_, mine, _) = await Http.GetJsonAsync($"/flows/executions/contact/{phone}", token);
        Assert.Empty(mine!.AsArray());
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/statistics?flow_id={otherFlow}", token));
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/flows/executions/{long.MaxValue}", token));
    }

    [Fact]
    public async Task AnExecution_IsReadListedLoggedAndCounted()
    {
        var (token, userId, botId, flowId) = await WaitFlowAsync("execution-shapes");
        var phone = ContactScenario.NewPhone();

        var (status, execution, response) = await Http.PostJsonAsync("/flows/execute", new
        {
            flow_id = flowId,
            contact_phone = "+" + phone,
            bot_id = botId,
            initial_state = new { custom_field = "value", count = 2 },
        }, token);
        Assert.True(status == HttpStatusCode.Created, $"{status} {execution?.ToJsonString()}");
        var id = execution!["id"]!.GetValue<long>();
        Assert.Equal($"/flows/executions/{id}", response.Headers.Location?.OriginalString);
        AssertExecution(execution, id, botId, flowId, phone, userId);
        Assert.Equal("waiting_for_reply", execution["status"]!.GetValue<string>());
        Assert.Equal("value", execution["state"]!["custom_field"]!.GetValue<string>());
        Assert.Equal(2, execution["state"]!["count"]!.GetValue<int>());
        Assert.NotNull(execution["wake_at"]);
        Assert.NotNull(execution["current_node_id"]);

        var (got, read, _) = await Http.GetJsonAsync($"/flows/executions/{id}", token);
        Assert.Equal(HttpStatusCode.OK, got);
        AssertExecution(read!, id, botId, flowId, phone, userId);
        Assert.Equal("waiting_for_reply", read!["status"]!.GetValue<string>());

        // By phone, with or without +, across the caller's organizations or narrowed.
        foreach (var path in new[]
        {
            $"/flows/executions/contact/{phone}",
            $"/flows/executions/contact/%2B{phone}",
            $"/flows/executions/contact/{phone}?bot_id={botId}",
            $"/flows/executions/contact/{phone}?organization_id={execution["organization_id"]}&limit=5&offset=0",
        })
        {
            var (listed, list, listResponse) = await Http.GetJsonAsync(path, token);
            Assert.True(listed == HttpStatusCode.OK, $"{path}: {listed} {list?.ToJsonString()}");
            Assert.Equal([id], ContactScenario.Ids(list));
            Assert.Equal(1, ContactScenario.TotalCount(listResponse));
            Assert.Equal(phone, list!.AsArray()[0]!["contact_phone"]!.GetValue<string>());
        }

        var badPhone = await Http.GetJsonAsync("/flows/executions/contact/12ab", token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, badPhone);
        Assert.Equal(["phone"], ErrorFields(badPhone.Body!));
        var badLimit = await Http.GetJsonAsync($"/flows/executions/contact/{phone}?limit=201", token);
        Assert.Equal(["limit"], ErrorFields(badLimit.Body!));

        // Logs: ordered lines and a cursor.
        var (logged, logs, _) = await Http.GetJsonAsync($"/flows/executions/{id}/logs", token);
        Assert.Equal(HttpStatusCode.OK, logged);
        var items = logs!["items"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.True(logs.AsObject().ContainsKey("next_after"));
        var seqs = items.Select(i => i!["seq"]!.GetValue<int>()).ToArray();
        Assert.Equal(Enumerable.Range(1, seqs.Length), seqs);
        foreach (var field in new[] { "node_id", "node_type", "event", "level", "detail", "at" })
        {
            Assert.True(items[0]!.AsObject().ContainsKey(field), $"{field} in {items[0]!.ToJsonString()}");
        }

        var (_, firstPage, _) = await Http.GetJsonAsync($"/flows/executions/{id}/logs?limit=1", token);
        Assert.Single(firstPage!["items"]!.AsArray());
        if (seqs.Length > 1)
        {
            Assert.Equal(1, firstPage["next_after"]!.GetValue<int>());
            var (_, secondPage, _) = await Http.GetJsonAsync($"/flows/executions/{id}/logs?after=1&limit=200", token);
            Assert.Equal(seqs[1..], secondPage!["items"]!.AsArray().Select(i => i!["seq"]!.GetValue<int>()));
            Assert.Null(secondPage["next_after"]);
        }
        else
        {
            Assert.Null(firstPage["next_after"]);
        }

        Assert.Equal(["after"], ErrorFields((await Http.GetJsonAsync($"/flows/executions/{id}/logs?after=-1", token)).Body!));
        Assert.Equal(["limit"], ErrorFields((await Http.GetJsonAsync($"/flows/executions/{id}/logs?limit=0", token)).Body!));

        // Statistics: every status listed; the flow's own scope counts exactly this execution.
        var (counted, stats, _) = await Http.GetJsonAsync($"/flows/statistics?flow_id={flowId}", token);
        Assert.True(counted == HttpStatusCode.OK, $"{counted} {stats?.ToJsonString()}");
        Assert.Equal(1, stats!["total"]!.GetValue<long>());
        Assert.Equal(Statuses.Order(), stats["by_status"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(1, stats["by_status"]!["waiting_for_reply"]!.GetValue<long>());
        Assert.True(stats.AsObject().ContainsKey("completion_rate"));
        Assert.True(stats.AsObject().ContainsKey("average_duration_seconds"));
        var byFlow = stats["by_flow"]!.AsArray().Single()!;
        Assert.Equal(flowId, byFlow["flow_id"]!.GetValue<long>());
        Assert.Equal("Wait", byFlow["flow_name"]!.GetValue<string>());
        Assert.Equal(1, byFlow["total"]!.GetValue<long>());
        Assert.Equal(Statuses.Order(), byFlow["by_status"]!.AsObject().Select(p => p.Key).Order());

        foreach (var scope in new[] { "", $"?bot_id={botId}", $"?organization_id={execution["organization_id"]}" })
        {
            var (ok, overall, _) = await Http.GetJsonAsync($"/flows/statistics{scope}", token);
            Assert.Equal(HttpStatusCode.OK, ok);
            Assert.Equal(1, overall!["total"]!.GetValue<long>());
        }

        Assert.Equal(["flow_id"], ErrorFields((await Http.GetJsonAsync("/flows/statistics?flow_id=0", token)).Body!));

        // A second start for the same contact while this one is active is a conflict.
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync("/flows/execute", new { flow_id = flowId, contact_phone = phone, bot_id = botId }, token));
    }

    [Fact]
    public async Task Cancel_EndsAnExecution_Once()
    {
        var (token, _, botId, flowId) = await WaitFlowAsync("execution-cancel");
        var id = (await Http.ExecuteAsync(token, botId, flowId, ContactScenario.NewPhone()))["id"]!.GetValue<long>();

        var tooLong = await Http.PostJsonAsync($"/flows/executions/{id}/cancel", new { reason = new string('r', 501) }, token);
        Assert.Equal(["reason"], ErrorFields(tooLong.Body!));
        var unknown = await Http.PostJsonAsync($"/flows/executions/{id}/cancel", new { why = "x" }, token);
        Assert.Equal(["why"], ErrorFields(unknown.Body!));

        var (cancelled, execution, _) = await Http.PostJsonAsync($"/flows/executions/{id}/cancel", new { reason = "Customer asked us to stop" }, token);
        Assert.True(cancelled == HttpStatusCode.OK, $"{cancelled} {execution?.ToJsonString()}");
        Assert.Equal("cancelled", execution!["status"]!.GetValue<string>());
        Assert.NotNull(execution["ended_at"]);
        var (_, read, _) = await Http.GetJsonAsync($"/flows/executions/{id}", token);
        Assert.Equal("cancelled", read!["status"]!.GetValue<string>());

        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{id}/cancel", null, token));
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{id}/resume", null, token));
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = "yes" }, token));

        // The contact is free for a new execution; an empty body cancels too.
        var phone = read["contact_phone"]!.GetValue<string>();
        var next = (await Http.ExecuteAsync(token, botId, flowId, phone))["id"]!.GetValue<long>();
        Assert.NotEqual(id, next);
        using var empty = new HttpRequestMessage(HttpMethod.Post, $"/flows/executions/{next}/cancel");
        empty.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var (emptyStatus, emptyBody, _) = await Http.CallAsync(empty);
        Assert.True(emptyStatus == HttpStatusCode.OK, $"{emptyStatus} {emptyBody?.ToJsonString()}");
        Assert.Equal("cancelled", emptyBody!["status"]!.GetValue<string>());

        var (_, stats, _) = await Http.GetJsonAsync($"/flows/statistics?flow_id={flowId}", token);
        Assert.Equal(2, stats!["by_status"]!["cancelled"]!.GetValue<long>());
    }

    [Fact]
    public async Task Input_ContinuesAWaitingExecution_AndIsAConflictOtherwise()
    {
        var (token, _, botId, flowId) = await WaitFlowAsync("execution-input");
        var id = (await Http.ExecuteAsync(token, botId, flowId, ContactScenario.NewPhone()))["id"]!.GetValue<long>();

        var mismatch = await Http.PostJsonAsync($"/flows/executions/{id}/input", new { execution_id = id + 1, message = "yes" }, token);
        AssertProblem(HttpStatusCode.UnprocessableEntity, mismatch);
        Assert.Equal(["execution_id"], ErrorFields(mismatch.Body!));
        Assert.Equal(["message"], ErrorFields((await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = "" }, token)).Body!));
        Assert.Equal(["message"], ErrorFields((await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = new string('m', 4097) }, token)).Body!));
        Assert.Equal(["message_type"], ErrorFields((await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = "yes", message_type = "voice" }, token)).Body!));
        Assert.Equal(["extra"], ErrorFields((await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = "yes", extra = 1 }, token)).Body!));

        // The seed's example: the reply is stored and the flow (which ends after the wait) completes.
        var (status, execution, _) = await Http.PostJsonAsync($"/flows/executions/{id}/input", new { execution_id = id, message = "yes", message_type = "text" }, token);
        Assert.True(status == HttpStatusCode.OK, $"{status} {execution?.ToJsonString()}");
        Assert.Equal("completed", execution!["status"]!.GetValue<string>());
        Assert.Equal("yes", execution["state"]!["answer"]!.GetValue<string>());

        // Not waiting any more.
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{id}/input", new { message = "again" }, token));

        // A timed wait is not waiting for a reply either.
        var timedFlow = await Http.CreateWaitFlowAsync(token, botId, untilReply: false, name: "Timed");
        var timed = await Http.ExecuteAsync(token, botId, timedFlow, ContactScenario.NewPhone());
        Assert.Equal("waiting", timed["status"]!.GetValue<string>());
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{timed["id"]}/input", new { message = "hi" }, token));
    }

    [Fact]
    public async Task Resume_EndsAWaitEarly()
    {
        var (token, _, botId, flowId) = await WaitFlowAsync("execution-resume", untilReply: false);
        var execution = await Http.ExecuteAsync(token, botId, flowId, ContactScenario.NewPhone());
        var id = execution["id"]!.GetValue<long>();
        Assert.Equal("waiting", execution["status"]!.GetValue<string>());

        var (status, resumed, _) = await Http.PostJsonAsync($"/flows/executions/{id}/resume", null, token);
        Assert.True(status == HttpStatusCode.OK, $"{status} {resumed?.ToJsonString()}");
        Assert.Equal("completed", resumed!["status"]!.GetValue<string>());
        AssertProblem(HttpStatusCode.Conflict, await Http.PostJsonAsync($"/flows/executions/{id}/resume", null, token));
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheFlowEngineAndContactEndpoints()
    {
        var (status, doc, _) = await Http.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = doc!["paths"]!.AsObject();
        foreach (var (path, method, tag) in new[]
        {
            ("/flows/execute", "post", "Flow Engine"),
            ("/flows/executions/{execution_id}", "get", "Flow Engine"),
            ("/flows/executions/contact/{phone}", "get", "Flow Engine"),
            ("/flows/executions/{execution_id}/resume", "post", "Flow Engine"),
            ("/flows/executions/{execution_id}/cancel", "post", "Flow Engine"),
            ("/flows/executions/{execution_id}/input", "post", "Flow Engine"),
            ("/flows/executions/{execution_id}/logs", "get", "Flow Engine"),
            ("/flows/statistics", "get", "Flow Engine"),
            ("/flows/contacts/", "post", "Flow Engine"),
            ("/flows/contacts/", "get", "Flow Engine"),
            ("/contacts/{contact_id}", "get", "Contact Attributes"),
            ("/contacts/{contact_id}", "patch", "Contact Attributes"),
            ("/contacts/{contact_id}/attributes", "post", "Contact Attributes"),
            ("/contacts/{contact_id}/attributes/bulk", "post", "Contact Attributes"),
            ("/contacts/{contact_id}/attributes", "get", "Contact Attributes"),
            ("/contacts/{contact_id}/attributes/{key}", "get", "Contact Attributes"),
            ("/contacts/{contact_id}/attributes/{key}", "delete", "Contact Attributes"),
            ("/contacts/search/by-attribute", "get", "Contact Attributes"),
        })
        {
            var operation = (paths[path] ?? paths[path.TrimEnd('/')])?[method];
            Assert.True(operation is not null, $"{method} {path} is not in the document");
            Assert.Equal(tag, operation!["tags"]![0]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
        }

        var schemas = doc["components"]!["schemas"]!.AsObject();
        Assert.Contains("initial_state", schemas["ExecuteFlowRequest"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Contains("typed_value", schemas["ContactAttributeResponse"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Contains("next_after", schemas["ExecutionLogPageResponse"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    private static void AssertExecution(JsonNode execution, long id, long botId, long flowId, string phone, long userId)
    {
        Assert.Equal(id, execution["id"]!.GetValue<long>());
        Assert.Equal(botId, execution["bot_id"]!.GetValue<long>());
        Assert.Equal(flowId, execution["flow_id"]!.GetValue<long>());
        Assert.Equal(1, execution["flow_version"]!.GetValue<int>());
        Assert.Equal(phone, execution["contact_phone"]!.GetValue<string>());
        Assert.True(execution["contact_id"]!.GetValue<long>() > 0);
        Assert.True(execution["organization_id"]!.GetValue<long>() > 0);
        Assert.Equal("api", execution["trigger"]!.GetValue<string>());
        Assert.Equal(userId, execution["started_by"]!.GetValue<long>());
        Assert.Equal("object", JsonValueKind(execution["state"]));
        foreach (var field in new[] { "current_node_id", "wake_at", "error", "steps", "started_at", "updated_at", "ended_at" })
        {
            Assert.True(execution.AsObject().ContainsKey(field), $"{field} in {execution.ToJsonString()}");
        }
    }

    private static string JsonValueKind(JsonNode? node) => node?.GetValueKind().ToString().ToLowerInvariant() ?? "null";
}
