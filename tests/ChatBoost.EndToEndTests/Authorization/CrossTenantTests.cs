using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// What the status-code matrix cannot see (issue 11, item 7). Organization A is the matrix scene; organization B
/// belongs to the non-member caller and has its own bot, flow, execution, contact and template; A's owner is also a
/// member of B, so a request mixing A's and B's ids passes every membership check and must be refused because the
/// ids belong to different organizations. And every list, search and statistics answer B's owner gets holds none of
/// A's ids, while it does hold B's own (so the check can fail).
/// </summary>
[Collection(SecondSystemCollection.Name)]
public class CrossTenantTests(SharedSystemFixture fixture)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (ChatBoostSystem System, Tenant A, Tenant B, MatrixScene Scene)? _world;

    private HttpClient Http => fixture.System.Http;

    /// <summary>One organization's resources, as ids.</summary>
    public sealed record Tenant(long OrganizationId, long BotId, long FlowId, long NodeId, long ExecutionId, string Phone, long ContactId, long TemplateId);

    public static TheoryData<string> ListPaths() =>
    [
        "/bots/",
        "/bots/flows/",
        "/bots/templates/",
        "/flows/contacts/",
        "/contacts/search/by-attribute?key=tier&value=gold",
        "/flows/statistics",
        "/team/my-organizations",
        "/auth/users",
    ];

    [Theory]
    [MemberData(nameof(ListPaths))]
    public async Task AnOutsidersListsHoldNoneOfTheSceneOrganizationsIds(string path)
    {
        var (a, b, scene) = await WorldAsync();
        var outsider = scene.Users.Callers[Caller.NonMember].Token;

        var (status, body, _) = await Http.GetJsonAsync(path, outsider);

        Assert.Equal(HttpStatusCode.OK, status);
        var text = body!.ToJsonString();
        var leaks = Leaks(body, a);
        Assert.True(leaks.Count == 0, $"{path} shows organization A's {string.Join(", ", leaks)}: {text}");
        Assert.DoesNotContain(a.Phone, text, StringComparison.Ordinal);
        foreach (var caller in new[] { Caller.Admin, Caller.Member, Caller.Viewer })
        {
            Assert.DoesNotContain(scene.Users.Callers[caller].Email, text, StringComparison.OrdinalIgnoreCase);
        }

        // The control: B's owner does see B's own rows where the list has rows of that kind.
        if (path is "/bots/" or "/bots/flows/" or "/bots/templates/" or "/flows/contacts/")
        {
            var own = path switch { "/bots/" => b.BotId, "/bots/flows/" => b.FlowId, "/bots/templates/" => b.TemplateId, _ => b.ContactId };
            Assert.Contains(Rows(body), r => r["id"]!.GetValue<long>() == own);
        }
    }

    [Fact]
    public async Task AnOutsiderFindsNoExecutionsOfTheScenesContact()
    {
        var (a, _, scene) = await WorldAsync();
        var (status, body, _) = await Http.GetJsonAsync($"/flows/executions/contact/{a.Phone}", scene.Users.Callers[Caller.NonMember].Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(Leaks(body!, a));
        Assert.DoesNotContain(Rows(body!), r => r["id"]?.GetValue<long>() == a.ExecutionId);
    }

    public static TheoryData<string> MixedRequests() =>
    [
        "default flow of A's bot := B's flow",
        "instantiate A's template into B's bot",
        "execute B's flow on A's bot for A's contact",
        "statistics of A's bot and B's flow",
        "statistics of organization A and B's bot",
        "contacts of organization A and B's bot",
        "search of organization B and A's bot",
        "executions of A's contact filtered by B's bot",
    ];

    [Theory]
    [MemberData(nameof(MixedRequests))]
    public async Task ARequestMixingTwoOrganizationsIdsIsRefused_ByAUserWhoIsAMemberOfBoth(string name)
    {
        var (a, b, scene) = await WorldAsync();
        var token = scene.OwnerToken;
        var (method, path, body) = name switch
        {
            "default flow of A's bot := B's flow" => (HttpMethod.Put, $"/bots/{a.BotId}", (object?)new { default_flow_id = b.FlowId }),
            "instantiate A's template into B's bot" => (HttpMethod.Post, $"/bots/templates/{a.TemplateId}/instantiate", new { bot_id = b.BotId }),
            "execute B's flow on A's bot for A's contact" => (HttpMethod.Post, "/flows/execute", new { flow_id = b.FlowId, bot_id = a.BotId, contact_phone = a.Phone }),
            "statistics of A's bot and B's flow" => (HttpMethod.Get, $"/flows/statistics?bot_id={a.BotId}&flow_id={b.FlowId}", null),
            "statistics of organization A and B's bot" => (HttpMethod.Get, $"/flows/statistics?organization_id={a.OrganizationId}&bot_id={b.BotId}", null),
            "contacts of organization A and B's bot" => (HttpMethod.Get, $"/flows/contacts/?organization_id={a.OrganizationId}&bot_id={b.BotId}", null),
            "search of organization B and A's bot" => (HttpMethod.Get, $"/contacts/search/by-attribute?key=tier&value=gold&organization_id={b.OrganizationId}&bot_id={a.BotId}", null),
            "executions of A's contact filtered by B's bot" => (HttpMethod.Get, $"/flows/executions/contact/{a.Phone}?bot_id={b.BotId}", null),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };

        var (status, answer, _) = await Http.CallAsync(Json(method, path, body, token));

        if (name == "executions of A's contact filtered by B's bot")
        {
            // Legitimate (the caller is in B): B's executions for that phone, which are none of A's.
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain(Rows(answer!), r => r["id"]?.GetValue<long>() == a.ExecutionId);
            return;
        }

        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity, $"{name}: expected 404 or 422, got {(int)status} {answer?.ToJsonString()}");
        var (_, bot, _) = await Http.GetJsonAsync($"/bots/{a.BotId}", token);
        Assert.NotEqual(b.FlowId, bot!["default_flow_id"]?.GetValue<long?>());
    }

    [Fact]
    public async Task ANodeOfAsFlowCannotLeadIntoBsFlow()
    {
        var (a, b, scene) = await WorldAsync();
        var token = scene.OwnerToken;
        var (_, flow, _) = await Http.PostJsonAsync("/bots/flows/", new { bot_id = a.BotId, name = "Bridge" }, token);
        var flowId = flow!["id"]!.GetValue<long>();

        var (created, node, _) = await Http.PostJsonAsync("/bots/nodes/",
            new { flow_id = flowId, type = "send_message", config = new { message_type = "text", content = new { text = "Hi" }, next = b.NodeId } }, token);
        var (published, version, _) = await Http.PostJsonAsync($"/bots/flows/{flowId}/publish", null, token);

        Assert.False(created == HttpStatusCode.Created && published == HttpStatusCode.Created,
            $"A node of A's flow leading to B's node {b.NodeId} was created ({node?.ToJsonString()}) and published ({version?.ToJsonString()}).");
    }

    /// <summary>Ids of A under any key that names one (organization_id, bot_id, flow_id, …) or A's organization under "id" of an organization list.</summary>
    private static List<string> Leaks(JsonNode body, Tenant a)
    {
        var forbidden = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["organization_id"] = a.OrganizationId,
            ["bot_id"] = a.BotId,
            ["flow_id"] = a.FlowId,
            ["execution_id"] = a.ExecutionId,
            ["contact_id"] = a.ContactId,
            ["template_id"] = a.TemplateId,
        };
        var found = new List<string>();
        Walk(body, (key, value) =>
        {
            if (forbidden.TryGetValue(key, out var id) && value == id)
            {
                found.Add($"{key} {value}");
            }
        });
        return found;
    }

    private static void Walk(JsonNode? node, Action<string, long> visit)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (value is JsonValue v && v.TryGetValue<long>(out var number))
                    {
                        visit(key, number);
                    }

                    Walk(value, visit);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, visit);
                }

                break;
        }
    }

    /// <summary>The rows of a list answer: the array itself, or the first array property of an object.</summary>
    private static IEnumerable<JsonNode> Rows(JsonNode body) => (body as JsonArray ?? body.AsObject().Select(p => p.Value).OfType<JsonArray>().FirstOrDefault() ?? [])
        .Where(r => r is JsonObject).Select(r => r!);

    private async Task<(Tenant A, Tenant B, MatrixScene Scene)> WorldAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_world is not { } world || world.System != fixture.System)
            {
                var scene = await MatrixScene.CreateAsync(fixture.System);
                var outsider = scene.Users.Callers[Caller.NonMember];
                var a = await TenantAsync(scene.OrganizationId, scene.OwnerToken);
                var (status, org, _) = await Http.PostJsonAsync("/team/organizations", new { name = "Tenant B" }, outsider.Token);
                Assert.True(status == HttpStatusCode.Created, $"{status} {org?.ToJsonString()}");
                var bOrganization = org!["id"]!.GetValue<long>();
                var b = await TenantAsync(bOrganization, outsider.Token);
                await fixture.System.JoinAsync(bOrganization, outsider.Token, scene.Users.Callers[Caller.Owner], "owner");
                _world = world = (fixture.System, a, b, scene);
            }

            return (world.A, world.B, world.Scene);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A bot with a published wait flow, an execution of a contact (tier = gold) on it, and a template.</summary>
    private async Task<Tenant> TenantAsync(long organizationId, string token)
    {
        async Task<JsonNode> Created(string path, object? body)
        {
            var (status, answer, _) = await Http.PostJsonAsync(path, body, token);
            Assert.True(status == HttpStatusCode.Created, $"POST {path}: {status} {answer?.ToJsonString()}");
            return answer!;
        }

        var botId = (await Created("/bots/", new { organization_id = organizationId, name = "Tenant bot" }))["id"]!.GetValue<long>();
        var flowId = (await Created("/bots/flows/", new { bot_id = botId, name = "Tenant flow" }))["id"]!.GetValue<long>();
        var nodeId = (await Created("/bots/nodes/", new { flow_id = flowId, type = "wait", config = new { until = "reply", timeout = 30, timeout_unit = "days" } }))["id"]!.GetValue<long>();
        await Created($"/bots/flows/{flowId}/publish", null);
        var phone = MatrixScene.NewPhone();
        var contactId = (await Created("/flows/contacts/", new
        {
            bot_id = botId,
            phone,
            attributes = new[] { new { key = "tier", value = "gold", value_type = "string" } },
        }))["id"]!.GetValue<long>();
        var executionId = (await Created("/flows/execute", new { flow_id = flowId, contact_phone = phone, bot_id = botId }))["id"]!.GetValue<long>();
        var templateId = (await Created("/bots/templates/", new
        {
            organization_id = organizationId,
            name = "Tenant template",
            nodes = new[] { new { id = 1, type = "send_message", config = new { message_type = "text", content = new { text = "Hi" } } } },
        }))["id"]!.GetValue<long>();
        return new Tenant(organizationId, botId, flowId, nodeId, executionId, phone, contactId, templateId);
    }
}
