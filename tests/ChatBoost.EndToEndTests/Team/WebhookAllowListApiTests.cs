using System.Net;
using ChatBoost.EndToEndTests.Authorization;
using ChatBoost.EndToEndTests.Harness;
using static ChatBoost.EndToEndTests.Harness.ApiCalls;

namespace ChatBoost.EndToEndTests.Team;

/// <summary>An organization's own webhook allow-list: set by platform administrators (addresses only), read by its members.</summary>
[Collection(SystemCollection.Name)]
public class WebhookAllowListApiTests(SharedSystemFixture fixture)
{
    private HttpClient Http => fixture.System.Http;

    [Fact]
    public async Task APlatformAdministratorSetsTheEntries_MembersReadThem_HostNamesAreRefused()
    {
        var users = await MatrixUsers.ForAsync(fixture.System);
        var admin = users.Callers[Caller.PlatformAdmin].Token;
        var owner = await Http.NewUserAsync("allow-owner");
        var orgId = await Http.CreateOrganizationAsync(owner.Token, "Allow list");
        var path = $"/team/admin/organizations/{orgId}/webhook-allow-list";

        var hostName = await Http.CallAsync(Json(HttpMethod.Put, path, new { entries = new[] { "crm.internal.example" } }, admin));
        AssertProblem(HttpStatusCode.UnprocessableEntity, hostName);
        AssertProblem(HttpStatusCode.Forbidden, await Http.CallAsync(Json(HttpMethod.Put, path, new { entries = new[] { "10.0.0.0/8" } }, owner.Token)));
        var (status, set, _) = await Http.CallAsync(Json(HttpMethod.Put, path, new { entries = new[] { " 10.1.2.3:443 ", "10.1.2.3:443", "[fd00::]/8" } }, admin));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["10.1.2.3:443", "[fd00::]/8"], set!["entries"]!.AsArray().Select(e => e!.GetValue<string>()));
        var (_, read, _) = await Http.GetJsonAsync($"/team/organizations/{orgId}/webhook-allow-list", owner.Token);
        Assert.Equal(set.ToJsonString(), read!.ToJsonString());
        AssertProblem(HttpStatusCode.NotFound, await Http.GetJsonAsync($"/team/organizations/{orgId}/webhook-allow-list", users.Callers[Caller.NonMember].Token));
    }
}
