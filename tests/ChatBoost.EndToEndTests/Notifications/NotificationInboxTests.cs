using System.Net;
using System.Text.Json.Nodes;
using ChatBoost.EndToEndTests.Harness;
using ChatBoost.EndToEndTests.Team;

namespace ChatBoost.EndToEndTests.Notifications;

/// <summary>The inbox endpoints' content: each answers about the caller's own notifications only, exactly.</summary>
public sealed class NotificationInboxTests(NotificationSystemFixture fixture) : IClassFixture<NotificationSystemFixture>
{
    private ChatBoostSystem System => fixture.System;

    private HttpClient Http => System.Http;

    private async Task<JsonArray> ListAsync(string path, string token)
    {
        var (status, body, _) = await Http.GetJsonAsync(path, token);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {body?.ToJsonString()}");
        return body!.AsArray();
    }

    private static long[] Ids(JsonArray list) => [.. list.Select(n => n!["id"]!.GetValue<long>())];

    [Fact]
    public async Task ListsCountsSummaryStatsAndByTypeShowOnlyMyNotifications()
    {
        var me = await Http.NewUserAsync("lists");
        var other = await Http.NewUserAsync("lists-other");
        var a = await fixture.TestNotificationAsync(me.Token, "A");
        var b = await fixture.TestNotificationAsync(me.Token, "B");
        await fixture.TestNotificationAsync(other.Token, "not mine");
        await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, $"/notifications/{a}/read", null, me.Token));

        var (_, all, response) = await Http.GetJsonAsync("/notifications/?limit=1", me.Token);
        Assert.Equal([b], Ids(all!.AsArray()));
        Assert.Equal("2", response.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal([b, a], Ids(await ListAsync("/notifications/", me.Token)));
        Assert.Equal([b], Ids(await ListAsync("/notifications/unread", me.Token)));
        Assert.Equal([b], Ids(await ListAsync("/notifications/?unread_only=true", me.Token)));
        Assert.Equal([b, a], Ids(await ListAsync("/notifications/by-type/test", me.Token)));
        Assert.Empty(await ListAsync("/notifications/by-type/mention", me.Token));
        var first = (await ListAsync("/notifications/", me.Token))[1]!;
        Assert.Equal(("test", "A", true), (first["type"]!.GetValue<string>(), first["title"]!.GetValue<string>(), first["is_read"]!.GetValue<bool>()));

        var (_, count, _) = await Http.GetJsonAsync("/notifications/count", me.Token);
        Assert.Equal((2, 1), (count!["total"]!.GetValue<long>(), count["unread"]!.GetValue<long>()));
        var (_, summary, _) = await Http.GetJsonAsync("/notifications/summary", me.Token);
        Assert.Equal(1, summary!["unread_by_type"]!["test"]!.GetValue<long>());
        Assert.Equal([b, a], Ids(summary["latest"]!.AsArray()));
        var (_, stats, _) = await Http.GetJsonAsync("/notifications/stats", me.Token);
        Assert.Equal((2, 1, 2, 2), (stats!["total"]!.GetValue<long>(), stats["unread"]!.GetValue<long>(), stats["total_by_type"]!["test"]!.GetValue<long>(), stats["last_day"]!.GetValue<long>()));

        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync("/notifications/by-type/nonsense", me.Token));
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.GetJsonAsync("/notifications/?since=yesterday", me.Token));
        ApiCalls.AssertProblem(HttpStatusCode.NotFound, await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, $"/notifications/{a}/read", null, other.Token)));
        ApiCalls.AssertProblem(HttpStatusCode.NotFound, await Http.CallAsync(ApiCalls.Json(HttpMethod.Delete, $"/notifications/{a}", null, other.Token)));
    }

    [Fact]
    public async Task ABulkActionIsAllOrNothingAndReadAllAndClearEmptyTheInbox()
    {
        var me = await Http.NewUserAsync("bulk");
        var other = await Http.NewUserAsync("bulk-other");
        long[] mine = [await fixture.TestNotificationAsync(me.Token, "1"), await fixture.TestNotificationAsync(me.Token, "2"), await fixture.TestNotificationAsync(me.Token, "3")];
        var theirs = await fixture.TestNotificationAsync(other.Token, "theirs");

        var refused = await Http.PostJsonAsync("/notifications/bulk-action", new { action = "delete", notification_ids = new[] { mine[0], theirs } }, me.Token);
        ApiCalls.AssertProblem(HttpStatusCode.NotFound, refused);
        Assert.Equal(3, (await ListAsync("/notifications/", me.Token)).Count);
        Assert.Single(await ListAsync("/notifications/", other.Token));
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/notifications/bulk-action", new { action = "archive", notification_ids = mine }, me.Token));
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync("/notifications/bulk-action", new { action = "delete", notification_ids = Enumerable.Range(1, 201).ToArray() }, me.Token));

        var (status, done, _) = await Http.PostJsonAsync("/notifications/bulk-action", new { action = "mark_read", notification_ids = new[] { mine[0], mine[1] } }, me.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("mark_read", 2), (done!["action"]!.GetValue<string>(), done["affected"]!.GetValue<int>()));
        Assert.Equal([mine[2]], Ids(await ListAsync("/notifications/unread", me.Token)));

        var (_, readAll, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/read-all", null, me.Token));
        Assert.Equal(1, readAll!["affected"]!.GetValue<int>());
        Assert.Empty(await ListAsync("/notifications/unread", me.Token));
        var (_, cleared, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Delete, "/notifications/clear", null, me.Token));
        Assert.Equal(3, cleared!["affected"]!.GetValue<int>());
        Assert.Empty(await ListAsync("/notifications/", me.Token));
        Assert.Single(await ListAsync("/notifications/", other.Token));
    }

    [Fact]
    public async Task EmailAndDigestPreferencesAreSavedAndReturned_AndANonBooleanIsA422NamingTheField()
    {
        var user = await Http.NewUserAsync("prefs-email");
        var (status, prefs, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences",
            new { types = new Dictionary<string, object> { ["mention"] = new { email = true } }, digest = true }, user.Token));
        Assert.Equal(HttpStatusCode.OK, status);
        var (getStatus, read, _) = await Http.GetJsonAsync("/notifications/preferences", user.Token);
        Assert.Equal(HttpStatusCode.OK, getStatus);
        foreach (var body in new[] { prefs!, read! })
        {
            Assert.True(body["types"]!["mention"]!["email"]!.GetValue<bool>());
            Assert.True(body["types"]!["mention"]!["in_app"]!.GetValue<bool>());
            Assert.False(body["types"]!["team_event"]!["email"]!.GetValue<bool>());
            Assert.True(body["digest"]!.GetValue<bool>());
        }

        var (badDigest, digestProblem, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences", new { digest = "yes" }, user.Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDigest);
        Assert.NotNull(digestProblem!["errors"]!["digest"]);
        var (badEmail, emailProblem, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences",
            new { types = new Dictionary<string, object> { ["mention"] = new { email = 1 } } }, user.Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badEmail);
        Assert.NotNull(emailProblem!["errors"]!["types.mention.email"]);
    }

    [Fact]
    public async Task AMessageStatusTurnedOffInPreferencesIsNotStoredNorPushed()
    {
        var viewer = await Http.NewUserAsync("prefs-viewer");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, viewer, "viewer");
        var (status, prefs, _) = await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences",
            new { types = new Dictionary<string, object> { ["message_status"] = new { in_app = false } } }, viewer.Token));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(prefs!["types"]!["message_status"]!["in_app"]!.GetValue<bool>());
        Assert.True(prefs["types"]!["message_status"]!["websocket"]!.GetValue<bool>());
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences",
            new { types = new Dictionary<string, object> { ["nonsense"] = new { in_app = false } } }, viewer.Token)));
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.CallAsync(ApiCalls.Json(HttpMethod.Put, "/notifications/preferences", new { colour = "red" }, viewer.Token)));

        await using var viewerSocket = await NotificationSocket.ConnectAsync(System, viewer.Token);
        await using var ownerSocket = await NotificationSocket.ConnectAsync(System, fixture.Owner.Token);
        await fixture.FailDeliveryAsync("4915100000099");
        await fixture.FailDeliveryAsync("4915100000099");
        await ownerSocket.NextNotificationAsync();
        await ownerSocket.NextNotificationAsync();

        Assert.Empty(await ListAsync("/notifications/by-type/message_status", viewer.Token));
        var marker = await fixture.TestNotificationAsync(viewer.Token, "marker");
        Assert.Equal(marker, (await viewerSocket.NextNotificationAsync())["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task AContactNoteMentionsReachOnlyFellowMembers()
    {
        var fellow = await Http.NewUserAsync("fellow");
        var stranger = await Http.NewUserAsync("stranger");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, fellow, "viewer");
        var (created, contact, _) = await Http.PostJsonAsync("/flows/contacts/", new { bot_id = fixture.BotId, phone = "+4915100001234", name = "Noted" }, fixture.Owner.Token);
        Assert.Equal(HttpStatusCode.Created, created);
        var contactId = contact!["id"]!.GetValue<long>();

        var (status, note, _) = await Http.PostJsonAsync($"/contacts/{contactId}/notes",
            new { text = $"@{fellow.Email} please call back; cc @{stranger.Email} and @nobody-{Guid.NewGuid():N}@e2e.test" }, fixture.Owner.Token);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal([fellow.Id], note!["mentioned_user_ids"]!.AsArray().Select(i => i!.GetValue<long>()));
        var mention = Assert.Single(await ListAsync("/notifications/by-type/mention", fellow.Token))!;
        Assert.Equal((contactId, fixture.BotId), (mention["contact_id"]!.GetValue<long>(), mention["bot_id"]!.GetValue<long>()));
        Assert.Empty(await ListAsync("/notifications/by-type/mention", stranger.Token));
        ApiCalls.AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync($"/contacts/{contactId}/notes", new { text = "not my contact" }, stranger.Token));
        ApiCalls.AssertProblem(HttpStatusCode.UnprocessableEntity, await Http.PostJsonAsync($"/contacts/{contactId}/notes", new { text = "" }, fixture.Owner.Token));
    }

    [Fact]
    public async Task AnAnnouncementToAnOrganizationReachesItsMembersAndMentionsOnlyThem()
    {
        var member = await Http.NewUserAsync("announced");
        var outsider = await Http.NewUserAsync("not-announced");
        await System.JoinAsync(fixture.OrganizationId, fixture.Owner.Token, member, "viewer");

        var (status, announcement, _) = await Http.PostJsonAsync("/notifications/announcements",
            new { title = "Maintenance", body = $"Tonight. @{member.Email} @{outsider.Email}", organization_id = fixture.OrganizationId }, fixture.AdminToken);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(1, announcement!["mentioned"]!.GetValue<int>());
        Assert.Single(await ListAsync("/notifications/by-type/system_announcement", member.Token));
        Assert.Single(await ListAsync("/notifications/by-type/mention", member.Token));
        Assert.Empty(await ListAsync("/notifications/by-type/system_announcement", outsider.Token));
        Assert.Empty(await ListAsync("/notifications/by-type/mention", outsider.Token));
        ApiCalls.AssertProblem(HttpStatusCode.Forbidden, await Http.PostJsonAsync("/notifications/announcements", new { title = "x", body = "y" }, member.Token));
        ApiCalls.AssertProblem(HttpStatusCode.NotFound, await Http.PostJsonAsync("/notifications/announcements", new { title = "x", body = "y", organization_id = 999_999_999 }, fixture.AdminToken));
    }
}
