using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;
using Xunit.Abstractions;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>The live stream end to end: real silo and API processes, a real <see cref="ClientWebSocket"/>.</summary>
public sealed class NotificationStreamTests(NotificationSystemFixture fixture, ITestOutputHelper output) : IClassFixture<NotificationSystemFixture>
{
    private ChatBoostSystem System => fixture.System;

    [Fact]
    public async Task AFailedDeliveryReachesTheBotsMembersOnTheSocketAndInUnreadAndNobodyElse()
    {
        var viewer = await System.Http.NewUserAsync("notified-viewer");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, viewer, "viewer");
        var outsider = await System.Http.NewUserAsync("other-org-viewer");
        var otherOrg = await System.Http.NewUserAsync("other-org-owner");
        var (_, created, _) = await System.Http.PostJsonAsync("/team/organizations", new { name = "Elsewhere" }, otherOrg.Token);
        await System.JoinAsync(created!["id"]!.GetValue<long>(), otherOrg.Token, outsider, "viewer");
        await using var ownerSocket = await NotificationSocket.ConnectAsync(System, fixture.Owner.Token);
        await using var viewerSocket = await NotificationSocket.ConnectAsync(System, viewer.Token);
        await using var outsiderSocket = await NotificationSocket.ConnectAsync(System, outsider.Token);

        var clock = Stopwatch.StartNew();
        await fixture.FailDeliveryAsync();
        var toOwner = await ownerSocket.NextNotificationAsync();
        output.WriteLine($"webhook answered → owner's socket: {clock.ElapsedMilliseconds} ms");
        var toViewer = await viewerSocket.NextNotificationAsync();

        foreach (var n in new[] { toOwner, toViewer })
        {
            Assert.Equal("message_status", n["type"]!.GetValue<string>());
            Assert.Equal("failed", n["event"]!.GetValue<string>());
            Assert.Equal(fixture.BotId, n["bot_id"]!.GetValue<long>());
            Assert.Equal(fixture.OrganizationId, n["organization_id"]!.GetValue<long>());
            Assert.Contains("131026", n["body"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(n["is_read"]!.GetValue<bool>());
        }

        var (_, unread, _) = await System.Http.GetJsonAsync("/notifications/unread", viewer.Token);
        Assert.Contains(unread!.AsArray(), n => n!["id"]!.GetValue<long>() == toViewer["id"]!.GetValue<long>());

        // The outsider's first frame is the test notification made after: nothing of the other organization came before it.
        var marker = await fixture.TestNotificationAsync(outsider.Token, "after the failure");
        Assert.Equal(marker, (await outsiderSocket.NextNotificationAsync())["id"]!.GetValue<long>());
        var (_, theirs, _) = await System.Http.GetJsonAsync("/notifications/by-type/message_status", outsider.Token);
        Assert.Empty(theirs!.AsArray());
    }

    [Fact]
    public async Task ARemovedMemberGetsNothingFromTheNextEventOnAndTheSocketStaysOpen()
    {
        var member = await System.Http.NewUserAsync("removed-member");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, member, "member");
        await using var ownerSocket = await NotificationSocket.ConnectAsync(System, fixture.Owner.Token);
        await using var memberSocket = await NotificationSocket.ConnectAsync(System, member.Token);
        await fixture.FailDeliveryAsync("4915100000077");
        await ownerSocket.NextNotificationAsync();
        Assert.Equal("message_status", (await memberSocket.NextNotificationAsync())["type"]!.GetValue<string>());

        var (removed, _, _) = await System.Http.CallAsync(ApiCalls.Json(HttpMethod.Delete, $"/team/organizations/{fixture.OrganizationId}/members/{member.Id}", null, fixture.Owner.Token));
        Assert.True(removed is HttpStatusCode.OK or HttpStatusCode.NoContent, $"remove: {removed}");
        var removal = await memberSocket.NextNotificationAsync();
        Assert.Equal(("team_event", "removed"), (removal["type"]!.GetValue<string>(), removal["event"]!.GetValue<string>()));

        // Two more failures of one contact: the outlet delivers them in order, so the owner's notification of the second
        // means the hub has finished with the first one (for every member it still has). The owner does not coalesce.
        await fixture.FailDeliveryAsync("4915100000088");
        await fixture.FailDeliveryAsync("4915100000088");
        Assert.Equal("message_status", (await ownerSocket.NextNotificationAsync())["type"]!.GetValue<string>());
        Assert.Equal("message_status", (await ownerSocket.NextNotificationAsync())["type"]!.GetValue<string>());

        var (_, statuses, _) = await System.Http.GetJsonAsync("/notifications/by-type/message_status", member.Token);
        Assert.Single(statuses!.AsArray());
        var marker = await fixture.TestNotificationAsync(member.Token, "still streaming");
        Assert.Equal(marker, (await memberSocket.NextNotificationAsync())["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task ASocketClosesWhenItsBearerTokenExpires()
    {
        var user = await System.Http.NewUserAsync("expiring");
        var shortLived = JwtForge.Create(user.Id, expires: DateTimeOffset.UtcNow.AddSeconds(3));
        await using var socket = await NotificationSocket.ConnectAsync(System, shortLived);

        await socket.ClosedAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Equal("token expired", socket.CloseDescription);
    }

    [Fact]
    public async Task AnUpgradeWithoutAValidTicketIsRefusedWith401()
    {
        var user = await System.Http.NewUserAsync("ticketless");
        Assert.Equal(HttpStatusCode.Unauthorized, await NotificationSocket.RefusedStatusAsync(System, ""));
        Assert.Equal(HttpStatusCode.Unauthorized, await NotificationSocket.RefusedStatusAsync(System, "ticket=not-a-ticket"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NotificationSocket.RefusedStatusAsync(System, "ticket=" + new string('A', 43)));

        // A bearer token is not a ticket, and a ticket opens one socket once.
        Assert.Equal(HttpStatusCode.Unauthorized, await NotificationSocket.RefusedStatusAsync(System, "ticket=" + Uri.EscapeDataString(user.Token)));
        var ticket = await NotificationSocket.TicketAsync(System, user.Token);
        await using (await NotificationSocket.ConnectWithTicketAsync(System, ticket))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await NotificationSocket.RefusedStatusAsync(System, "ticket=" + Uri.EscapeDataString(ticket)));
        }

        Assert.DoesNotContain(user.Token, System.Api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ticket, System.Api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReconnectWithAfterGetsWhatItMissedOnceInOrderThenLiveOnes()
    {
        var user = await System.Http.NewUserAsync("reconnecting");
        long seen;
        await using (var first = await NotificationSocket.ConnectAsync(System, user.Token))
        {
            await fixture.TestNotificationAsync(user.Token, "seen");
            seen = (await first.NextNotificationAsync())["id"]!.GetValue<long>();
        }

        List<long> missed = [];
        for (var i = 0; i < 3; i++)
        {
            missed.Add(await fixture.TestNotificationAsync(user.Token, $"missed {i}"));
        }

        await using var again = await NotificationSocket.ConnectAsync(System, user.Token, after: seen);
        var live = await fixture.TestNotificationAsync(user.Token, "live");
        List<long> received = [];
        for (var i = 0; i < 4; i++)
        {
            received.Add((await again.NextNotificationAsync())["id"]!.GetValue<long>());
        }

        Assert.Equal([.. missed, live], received);
        await again.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await again.NextAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task AReconnectWithAfterAlsoGetsTheCoalescedUpdateOfANotificationItSawOnceInPositionOrder()
    {
        var viewer = await System.Http.NewUserAsync("coalesced-replay");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, viewer, "viewer");
        long seenId, seenPosition;
        await using (var first = await NotificationSocket.ConnectAsync(System, viewer.Token))
        {
            await fixture.FailDeliveryAsync("4915100000201");
            var seen = await first.NextNotificationAsync();
            (seenId, seenPosition) = (seen["id"]!.GetValue<long>(), seen["position"]!.GetValue<long>());
            Assert.Equal(seenId, seenPosition);
        }

        // A second failure of the bot within the coalescing window folds into the notification the client saw.
        await fixture.FailDeliveryAsync("4915100000202");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await System.Http.GetJsonAsync("/notifications/by-type/message_status", viewer.Token)).Body!.AsArray().Single()!["count"]!.GetValue<int>() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second failure was not coalesced");
            await Task.Delay(100);
        }

        var later = await fixture.TestNotificationAsync(viewer.Token, "after the burst");
        await using var again = await NotificationSocket.ConnectAsync(System, viewer.Token, after: seenPosition);
        var live = await fixture.TestNotificationAsync(viewer.Token, "live");
        var frames = new List<JsonNode>();
        for (var i = 0; i < 3; i++)
        {
            frames.Add(await again.NextAsync());
        }

        Assert.Equal(
            [("notification_updated", seenId, 2), ("notification", later, 1), ("notification", live, 1)],
            frames.Select(f => (f["type"]!.GetValue<string>(), f["notification"]!["id"]!.GetValue<long>(), f["notification"]!["count"]!.GetValue<int>())));
        var positions = frames.Select(f => f["notification"]!["position"]!.GetValue<long>()).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.True(positions[0] > seenPosition);

        // Nothing else: the next frame is the answer to a ping.
        await again.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await again.NextAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task OneUsersSocketsAllGetEachNotificationAndTheCapRefusesOneMore()
    {
        var user = await System.Http.NewUserAsync("many-sockets");
        var sockets = new List<NotificationSocket>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                sockets.Add(await NotificationSocket.ConnectAsync(System, user.Token));
            }

            var ticket = await NotificationSocket.TicketAsync(System, user.Token);
            Assert.Equal(HttpStatusCode.TooManyRequests, await NotificationSocket.RefusedStatusAsync(System, "ticket=" + Uri.EscapeDataString(ticket)));
            var id = await fixture.TestNotificationAsync(user.Token, "fan-out");
            foreach (var socket in sockets)
            {
                Assert.Equal(id, (await socket.NextNotificationAsync())["id"]!.GetValue<long>());
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }
}
