using System.Net;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>The users every scene uses, registered once per system.</summary>
public sealed class MatrixUsers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static MatrixUsers? _current;
    private static ChatBoostSystem? _currentSystem;

    private MatrixUsers(Dictionary<Caller, (long Id, string Email, string Token)> callers, (long Id, string Email, string Token) target, (long Id, string Email, string Token) spare)
    {
        Callers = callers;
        Target = target;
        Spare = spare;
    }

    public IReadOnlyDictionary<Caller, (long Id, string Email, string Token)> Callers { get; }

    /// <summary>A user the scene adds as a member, for role changes and removals.</summary>
    public (long Id, string Email, string Token) Target { get; }

    /// <summary>A user who is in no scene organization, for "add member".</summary>
    public (long Id, string Email, string Token) Spare { get; }

    public static async Task<MatrixUsers> ForAsync(ChatBoostSystem system)
    {
        await Gate.WaitAsync();
        try
        {
            if (_currentSystem != system || _current is null)
            {
                var http = system.Http;
                var callers = new Dictionary<Caller, (long, string, string)>();
                foreach (var caller in new[] { Caller.Owner, Caller.Admin, Caller.Member, Caller.Viewer, Caller.NonMember })
                {
                    callers[caller] = await http.NewUserAsync("matrix-" + caller.ToString().ToLowerInvariant());
                }

                callers[Caller.PlatformAdmin] = await PlatformAdminAsync(http);
                _current = new MatrixUsers(callers, await http.NewUserAsync("matrix-target"), await http.NewUserAsync("matrix-spare"));
                _currentSystem = system;
            }

            return _current;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(long, string, string)> PlatformAdminAsync(HttpClient http)
    {
        var email = SharedSystemFixture.AdminEmail;
        var token = await http.RegisterVerifiedAsync(email);
        var (_, me, _) = await http.GetJsonAsync("/auth/me", token);
        return (me!["id"]!.GetValue<long>(), email, token);
    }
}

/// <summary>
/// An organization owned by the owner caller with the admin, member and viewer callers in their roles;
/// the non-member and the platform administrator are outside it. Setups may add what a case addresses.
/// </summary>
public sealed class MatrixScene(ChatBoostSystem system, MatrixUsers users, long organizationId)
{
    public ChatBoostSystem System { get; } = system;

    public MatrixUsers Users { get; } = users;

    public long OrganizationId { get; } = organizationId;

    /// <summary>Set by setups that create an invitation.</summary>
    public long InvitationId { get; set; }

    public string OwnerToken => Users.Callers[Caller.Owner].Token;

    public static async Task<MatrixScene> CreateAsync(ChatBoostSystem system)
    {
        var users = await MatrixUsers.ForAsync(system);
        var owner = users.Callers[Caller.Owner].Token;
        var (status, org, _) = await system.Http.PostJsonAsync("/team/organizations", new { name = "Matrix " + Guid.NewGuid().ToString("N")[..8] }, owner);
        Assert.Equal(HttpStatusCode.Created, status);
        var orgId = org!["id"]!.GetValue<long>();
        // The three joins at once: each finds its own invitation in the log by its address.
        await Task.WhenAll(new[] { (Caller.Admin, "admin"), (Caller.Member, "member"), (Caller.Viewer, "viewer") }
            .Select(j => system.JoinAsync(orgId, owner, users.Callers[j.Item1], j.Item2)));

        return new MatrixScene(system, users, orgId);
    }

    public Task AddTargetMemberAsync() => System.JoinAsync(OrganizationId, OwnerToken, Users.Target, "member");

    public async Task CreateInvitationAsync()
    {
        var email = UniqueEmail("invitee");
        var mark = System.Api.OutputLength;
        var (status, invitation, _) = await System.Http.PostJsonAsync(
            $"/team/organizations/{OrganizationId}/invitations", new { email, role = "member" }, OwnerToken);
        Assert.Equal(HttpStatusCode.Created, status);
        InvitationId = invitation!["id"]!.GetValue<long>();
        InvitationToken = await TeamScenario.TokenLoggedSinceAsync(System, email, mark);
    }

    /// <summary>Set by <see cref="CreateInvitationAsync"/>: the token of that invitation, for a stranger's address.</summary>
    public string InvitationToken { get; set; } = "";

    /// <summary>Set by <see cref="CreateExtraUserAsync"/>.</summary>
    public long ExtraUserId { get; set; }

    /// <summary>A user of this scene alone (to deactivate).</summary>
    public async Task CreateExtraUserAsync() => ExtraUserId = (await System.Http.NewUserAsync("matrix-extra")).Id;

    /// <summary>Set by the bot builder setups.</summary>
    public long BotId { get; set; }

    public long FlowId { get; set; }

    public long NodeId { get; set; }

    public long TemplateId { get; set; }

    /// <summary>A bot of the scene's organization, created by the owner.</summary>
    public async Task CreateBotAsync()
    {
        var (status, bot, _) = await System.Http.PostJsonAsync("/bots/", new { organization_id = OrganizationId, name = "Matrix bot" }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create bot: {status} {bot?.ToJsonString()}");
        BotId = bot!["id"]!.GetValue<long>();
    }

    /// <summary>A bot with an empty flow.</summary>
    public async Task CreateFlowAsync()
    {
        await CreateBotAsync();
        var (status, flow, _) = await System.Http.PostJsonAsync("/bots/flows/", new { bot_id = BotId, name = "Matrix flow" }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create flow: {status} {flow?.ToJsonString()}");
        FlowId = flow!["id"]!.GetValue<long>();
    }

    /// <summary>A bot with a flow of one (valid, publishable) node.</summary>
    public async Task CreateNodeAsync()
    {
        await CreateFlowAsync();
        var (status, node, _) = await System.Http.PostJsonAsync(
            "/bots/nodes/", new { flow_id = FlowId, type = "send_message", config = new { message_type = "text", content = new { text = "Hi" } } }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create node: {status} {node?.ToJsonString()}");
        NodeId = node!["id"]!.GetValue<long>();
    }

    /// <summary>A flow of one node, published as version 1.</summary>
    public async Task CreatePublishedFlowAsync()
    {
        await CreateNodeAsync();
        var (status, version, _) = await System.Http.PostJsonAsync($"/bots/flows/{FlowId}/publish", null, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"publish: {status} {version?.ToJsonString()}");
    }

    /// <summary>A bot and a one-node template of the scene's organization.</summary>
    public async Task CreateTemplateAsync()
    {
        await CreateBotAsync();
        var (status, template, _) = await System.Http.PostJsonAsync("/bots/templates/", new
        {
            organization_id = OrganizationId,
            name = "Matrix template",
            nodes = new[] { new { id = 1, type = "send_message", config = new { message_type = "text", content = new { text = "Hi" } } } },
        }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create template: {status} {template?.ToJsonString()}");
        TemplateId = template!["id"]!.GetValue<long>();
    }

    // ---- Flow engine and contacts (FlowEngineEndpointCases) ----

    /// <summary>Set by the flow engine setups.</summary>
    public long ExecutionId { get; set; }

    public long ContactId { get; set; }

    public string ContactPhone { get; set; } = "";

    /// <summary>A bot with a published flow of one wait node (for a reply, or for a duration), 30 days long: it stays active and sends nothing.</summary>
    public async Task CreatePublishedWaitFlowAsync(bool untilReply = true)
    {
        await CreateFlowAsync();
        object config = untilReply ? new { until = "reply", timeout = 30, timeout_unit = "days" } : new { duration = 30, unit = "days" };
        var (status, node, _) = await System.Http.PostJsonAsync("/bots/nodes/", new { flow_id = FlowId, type = "wait", config }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create wait node: {status} {node?.ToJsonString()}");
        NodeId = node!["id"]!.GetValue<long>();
        var (published, version, _) = await System.Http.PostJsonAsync($"/bots/flows/{FlowId}/publish", null, OwnerToken);
        Assert.True(published == HttpStatusCode.Created, $"publish: {published} {version?.ToJsonString()}");
    }

    /// <summary>An active execution of a fresh contact on <see cref="CreatePublishedWaitFlowAsync"/>'s flow, started by the owner.</summary>
    public async Task StartExecutionAsync(bool untilReply = true)
    {
        await CreatePublishedWaitFlowAsync(untilReply);
        ContactPhone = NewPhone();
        var (status, execution, _) = await System.Http.PostJsonAsync(
            "/flows/execute", new { flow_id = FlowId, contact_phone = ContactPhone, bot_id = BotId }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"execute: {status} {execution?.ToJsonString()}");
        ExecutionId = execution!["id"]!.GetValue<long>();
    }

    /// <summary>A bot with a contact that has the string attribute tier = gold.</summary>
    public async Task CreateContactAsync()
    {
        await CreateBotAsync();
        ContactPhone = NewPhone();
        var (status, contact, _) = await System.Http.PostJsonAsync("/flows/contacts/", new
        {
            bot_id = BotId,
            phone = ContactPhone,
            name = "Matrix contact",
            attributes = new[] { new { key = "tier", value = "gold", value_type = "string" } },
        }, OwnerToken);
        Assert.True(status == HttpStatusCode.Created, $"create contact: {status} {contact?.ToJsonString()}");
        ContactId = contact!["id"]!.GetValue<long>();
    }

    public static string NewPhone() => "1555" + Random.Shared.Next(1_000_000, 10_000_000).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
}
