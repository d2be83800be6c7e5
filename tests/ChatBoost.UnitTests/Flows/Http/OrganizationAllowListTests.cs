using ChatBoost.Grains.Flows.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatBoost.UnitTests.Flows.Http;

/// <summary>
/// Issue 11, item 6: the webhook allow-list was global, so one tenant's exception opened the destination to all.
/// Now an organization's own entries apply to its bots' calls only, and a connection opened under them is never
/// reused for another organization's call (each list has its own pool).
/// </summary>
public sealed class OrganizationAllowListTests
{
    private const long BotOfAllowedOrganization = 1;
    private const long BotOfOtherOrganization = 2;

    private static WebhookCaller Caller(IOrganizationWebhookAllowList lists) => new(
        Options.Create(new WebhookCallerOptions { DefaultTimeout = TimeSpan.FromSeconds(10) }), NullLogger<WebhookCaller>.Instance, lists);

    [Fact]
    public async Task AnOrganizationsEntryOpensTheDestinationForItsBotsOnly_EvenRightAfterItsCallLeftAConnectionOpen()
    {
        await using var server = await LocalServer.StartAsync(async (context, _) => await context.Response.WriteAsync("ok"));
        using var caller = Caller(new FakeLists(server.Port));
        var url = $"http://127.0.0.1:{server.Port}/hook";

        var allowed = await caller.CallAsync(new WebhookRequest("GET", url, [], null, TimeSpan.Zero) { BotId = BotOfAllowedOrganization }, CancellationToken.None);
        var other = await caller.CallAsync(new WebhookRequest("GET", url, [], null, TimeSpan.Zero) { BotId = BotOfOtherOrganization }, CancellationToken.None);
        var platformOnly = await caller.CallAsync(new WebhookRequest("GET", url, [], null, TimeSpan.Zero), CancellationToken.None);

        Assert.True(allowed.IsSuccess, allowed.Error);
        Assert.Equal(WebhookFailureKind.DestinationRefused, other.Failure);
        Assert.Equal(WebhookFailureKind.DestinationRefused, platformOnly.Failure);
        Assert.Single(server.Received);
    }

    [Fact]
    public async Task AListThatCannotBeReadMeansThePlatformListOnly()
    {
        await using var server = await LocalServer.StartAsync(async (context, _) => await context.Response.WriteAsync("ok"));
        using var caller = Caller(new FailingLists());

        var result = await caller.CallAsync(
            new WebhookRequest("GET", $"http://127.0.0.1:{server.Port}/hook", [], null, TimeSpan.Zero) { BotId = BotOfAllowedOrganization }, CancellationToken.None);

        Assert.Equal(WebhookFailureKind.DestinationRefused, result.Failure);
        Assert.Empty(server.Received);
    }

    /// <summary>Bot 1's organization may reach the test server's port on loopback; every other bot's has no entries.</summary>
    private sealed class FakeLists(int port) : IOrganizationWebhookAllowList
    {
        public Task<IReadOnlyList<string>> EntriesForBotAsync(long botId) =>
            Task.FromResult<IReadOnlyList<string>>(botId == BotOfAllowedOrganization ? [$"127.0.0.1:{port}"] : []);
    }

    private sealed class FailingLists : IOrganizationWebhookAllowList
    {
        public Task<IReadOnlyList<string>> EntriesForBotAsync(long botId) => throw new TimeoutException("cluster unavailable");
    }
}
