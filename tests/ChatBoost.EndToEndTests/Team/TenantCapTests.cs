using System.Net;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

/// <summary>A system whose per-tenant caps are tiny, so a test can reach each one.</summary>
public sealed class TinyCapsSystem : IAsyncLifetime
{
    public ChatBoostSystem System { get; private set; } = null!;

    public async Task InitializeAsync() => System = await ChatBoostSystem.StartAsync(environment: new Dictionary<string, string?>
    {
        ["LIMITS_BOTS_PER_ORGANIZATION"] = "2",
        ["LIMITS_TEMPLATES_PER_ORGANIZATION"] = "1",
        ["LIMITS_ORGANIZATIONS_PER_USER"] = "2",
        ["LIMITS_CONTACTS_PER_BOT"] = "1",
    });

    public Task DisposeAsync() => System.DisposeAsync().AsTask();
}

/// <summary>
/// Issue 11, item 6: a free account could create bots, organizations, templates and contacts without end. Each cap
/// holds, also against a burst of parallel creates, and the refusal is a 409 problem that names the setting.
/// </summary>
public class TenantCapTests(TinyCapsSystem caps) : IClassFixture<TinyCapsSystem>
{
    private HttpClient Http => caps.System.Http;

    [Fact]
    public async Task ABurstOfBotCreatesStopsAtTheCap_AndDeletingOneMakesRoom()
    {
        var owner = await Http.NewUserAsync("cap-bots");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Bots cap");

        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Http.PostJsonAsync("/bots/", new { organization_id = orgId, name = $"Bot {i}" }, owner.Token)));

        var created = burst.Where(r => r.Status == HttpStatusCode.Created).ToList();
        Assert.Equal(2, created.Count);
        Assert.All(burst.Where(r => r.Status != HttpStatusCode.Created), r =>
        {
            AssertProblem(HttpStatusCode.Conflict, r);
            Assert.Contains("LIMITS_BOTS_PER_ORGANIZATION", r.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        Assert.Equal(HttpStatusCode.NoContent, (await Http.CallAsync(Json(HttpMethod.Delete, $"/bots/{created[0].Body!["id"]!.GetValue<long>()}", null, owner.Token))).Status);
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/bots/", new { organization_id = orgId, name = "Room again" }, owner.Token)).Status);
    }

    [Fact]
    public async Task ABurstOfOrganizationCreatesStopsAtTheCap()
    {
        var user = await Http.NewUserAsync("cap-orgs");

        var burst = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
            Http.PostJsonAsync("/team/organizations", new { name = $"Org {i}" }, user.Token)));

        Assert.Equal(2, burst.Count(r => r.Status == HttpStatusCode.Created));
        Assert.All(burst.Where(r => r.Status != HttpStatusCode.Created), r =>
        {
            AssertProblem(HttpStatusCode.Conflict, r);
            Assert.Contains("LIMITS_ORGANIZATIONS_PER_USER", r.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TemplatesAndContactsStopAtTheirCaps()
    {
        var owner = await Http.NewUserAsync("cap-templates");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Templates cap");
        object Template() => new
        {
            organization_id = orgId,
            name = "Capped",
            nodes = new[] { new { id = 1, type = "send_message", config = new { message_type = "text", content = new { text = "Hi" } } } },
        };

        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/bots/templates/", Template(), owner.Token)).Status);
        var second = await Http.PostJsonAsync("/bots/templates/", Template(), owner.Token);
        AssertProblem(HttpStatusCode.Conflict, second);
        Assert.Contains("LIMITS_TEMPLATES_PER_ORGANIZATION", second.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, bot, _) = await Http.PostJsonAsync("/bots/", new { organization_id = orgId, name = "Contacts" }, owner.Token);
        var botId = bot!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone = "15550100001" }, owner.Token)).Status);
        var extra = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = botId, phone = "15550100002" }, owner.Token);
        AssertProblem(HttpStatusCode.Conflict, extra);
        Assert.Contains("LIMITS_CONTACTS_PER_BOT", extra.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
