using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using Xunit.Abstractions;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>
/// Two API processes on one cluster: a user's sockets on both get each notification, and losing access acts on both at
/// once — a deactivation closes every socket (1008) and a removal stops the organization's stream — well before the
/// 30 s renewal tick that would otherwise notice.
/// </summary>
public sealed class NotificationAccessTests(TwoApiNotificationFixture fixture, ITestOutputHelper output) : IClassFixture<TwoApiNotificationFixture>
{
    /// <summary>Far less than the fixture's renewal period (30 s): what happens within this was pushed, not polled.</summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(10);

    private ChatBoostSystem System => fixture.System;

    [Fact]
    public async Task ANotificationReachesTheUsersSocketsOnBothApiProcesses()
    {
        var viewer = await System.Http.NewUserAsync("two-api-viewer");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, viewer, "viewer");
        await using var onFirst = await NotificationSocket.ConnectAsync(System, viewer.Token);
        await using var onSecond = await NotificationSocket.ConnectAsync(System, viewer.Token, via: fixture.SecondApi);

        await fixture.FailDeliveryAsync("4915100000101");
        var first = await onFirst.NextNotificationAsync();
        var second = await onSecond.NextNotificationAsync();
        Assert.Equal("message_status", first["type"]!.GetValue<string>());
        Assert.Equal(first["id"]!.GetValue<long>(), second["id"]!.GetValue<long>());

        var id = await fixture.TestNotificationAsync(viewer.Token, "to both processes");
        Assert.Equal(id, (await onFirst.NextNotificationAsync())["id"]!.GetValue<long>());
        Assert.Equal(id, (await onSecond.NextNotificationAsync())["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task ADeactivationClosesTheUsersSocketsOnBothProcessesAtOnceWith1008()
    {
        var user = await System.Http.NewUserAsync("deactivated-at-once");
        await using var onFirst = await NotificationSocket.ConnectAsync(System, user.Token);
        await using var onSecond = await NotificationSocket.ConnectAsync(System, user.Token, via: fixture.SecondApi);
        var id = await fixture.TestNotificationAsync(user.Token, "subscribed on both");
        Assert.Equal(id, (await onFirst.NextNotificationAsync())["id"]!.GetValue<long>());
        Assert.Equal(id, (await onSecond.NextNotificationAsync())["id"]!.GetValue<long>());

        var clock = Stopwatch.StartNew();
        var (status, body, _) = await System.Http.PostJsonAsync($"/team/admin/users/{user.Id}/deactivate", null, fixture.AdminToken);
        Assert.True(status == HttpStatusCode.OK, $"deactivate: {status} {body?.ToJsonString()}");
        await onFirst.ClosedAsync().WaitAsync(AtOnce);
        await onSecond.ClosedAsync().WaitAsync(AtOnce);
        output.WriteLine($"deactivation → both sockets closed: {clock.ElapsedMilliseconds} ms");

        foreach (var socket in new[] { onFirst, onSecond })
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
            Assert.Equal("user deactivated", socket.CloseDescription);
        }
    }

    [Fact]
    public async Task ARemovalStopsTheOrganizationsStreamOnBothProcessesAndTheSocketsStayOpen()
    {
        var member = await System.Http.NewUserAsync("removed-two-api");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, member, "member");
        await using var ownerSocket = await NotificationSocket.ConnectAsync(System, fixture.Owner.Token);
        await using var onFirst = await NotificationSocket.ConnectAsync(System, member.Token);
        await using var onSecond = await NotificationSocket.ConnectAsync(System, member.Token, via: fixture.SecondApi);
        await fixture.FailDeliveryAsync("4915100000102");
        await ownerSocket.NextNotificationAsync();
        Assert.Equal("message_status", (await onFirst.NextNotificationAsync())["type"]!.GetValue<string>());
        Assert.Equal("message_status", (await onSecond.NextNotificationAsync())["type"]!.GetValue<string>());

        var clock = Stopwatch.StartNew();
        var (removed, _, _) = await System.Http.CallAsync(ApiCalls.Json(HttpMethod.Delete, $"/team/organizations/{fixture.OrganizationId}/members/{member.Id}", null, fixture.Owner.Token));
        Assert.True(removed is HttpStatusCode.OK or HttpStatusCode.NoContent, $"remove: {removed}");
        foreach (var socket in new[] { onFirst, onSecond })
        {
            var removal = await socket.NextNotificationAsync(AtOnce);
            Assert.Equal(("team_event", "removed"), (removal["type"]!.GetValue<string>(), removal["event"]!.GetValue<string>()));
        }

        output.WriteLine($"removal → the notice on both sockets: {clock.ElapsedMilliseconds} ms");

        // Two failures of one contact, delivered in order: the owner's second means the hub is done with the first.
        await fixture.FailDeliveryAsync("4915100000103");
        await fixture.FailDeliveryAsync("4915100000103");
        await ownerSocket.NextNotificationAsync();
        await ownerSocket.NextNotificationAsync();
        var marker = await fixture.TestNotificationAsync(member.Token, "still streaming");
        Assert.Equal(marker, (await onFirst.NextNotificationAsync())["id"]!.GetValue<long>());
        Assert.Equal(marker, (await onSecond.NextNotificationAsync())["id"]!.GetValue<long>());
    }
}
