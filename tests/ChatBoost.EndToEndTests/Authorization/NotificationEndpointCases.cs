using System.Net;
using System.Runtime.CompilerServices;
using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Notifications rows of the authorization matrix. Every /notifications route acts on the caller's own inbox, so any
/// signed-in user gets an answer about their own notifications; a notification id is found only by its owner (the
/// scene's owner here): everyone else gets 404. Announcements are for platform administrators; a contact note needs
/// contacts.write; /ws takes no bearer token at all (only a ticket), so every caller without one is refused with 401.
/// </summary>
public static class NotificationEndpointCases
{
    private static readonly ConditionalWeakTable<MatrixScene, StrongBox<long>> OwnersNotification = [];

    public static IEnumerable<EndpointCase> All()
    {
        yield return new("GET /notifications/", _ => (HttpMethod.Get, "/notifications/?limit=10&unread_only=false", null), Expect.AnyUser());
        yield return new("GET /notifications/unread", _ => (HttpMethod.Get, "/notifications/unread", null), Expect.AnyUser());
        yield return new("GET /notifications/count", _ => (HttpMethod.Get, "/notifications/count", null), Expect.AnyUser());
        yield return new("GET /notifications/summary", _ => (HttpMethod.Get, "/notifications/summary", null), Expect.AnyUser());
        yield return new("GET /notifications/stats", _ => (HttpMethod.Get, "/notifications/stats", null), Expect.AnyUser());
        yield return new("GET /notifications/by-type/{type}", _ => (HttpMethod.Get, "/notifications/by-type/mention", null), Expect.AnyUser());
        yield return new("GET /notifications/preferences", _ => (HttpMethod.Get, "/notifications/preferences", null), Expect.AnyUser());
        yield return new("PUT /notifications/preferences",
            _ => (HttpMethod.Put, "/notifications/preferences", new { flow_completed = true }), Expect.AnyUser(), Mutates: true);
        yield return new("PUT /notifications/read-all", _ => (HttpMethod.Put, "/notifications/read-all", null), Expect.AnyUser(), Mutates: true);
        yield return new("DELETE /notifications/clear", _ => (HttpMethod.Delete, "/notifications/clear", null), Expect.AnyUser(), Mutates: true);
        yield return new("POST /notifications/test",
            _ => (HttpMethod.Post, "/notifications/test", new { title = "Matrix" }), Expect.AnyUser(HttpStatusCode.Created), Mutates: true);
        yield return new("POST /notifications/ws-ticket", _ => (HttpMethod.Post, "/notifications/ws-ticket", null), Expect.AnyUser(), Mutates: true);
        yield return new("PUT /notifications/{notification_id}/read",
            s => (HttpMethod.Put, $"/notifications/{Owners(s)}/read", null), OwnerOnly(HttpStatusCode.OK), Mutates: true, Setup: CreateOwnersNotificationAsync);
        yield return new("DELETE /notifications/{notification_id}",
            s => (HttpMethod.Delete, $"/notifications/{Owners(s)}", null), OwnerOnly(HttpStatusCode.NoContent), Mutates: true, Setup: CreateOwnersNotificationAsync);
        yield return new("POST /notifications/bulk-action",
            s => (HttpMethod.Post, "/notifications/bulk-action", new { action = "mark_read", notification_ids = new[] { Owners(s) } }),
            OwnerOnly(HttpStatusCode.OK), Mutates: true, Setup: CreateOwnersNotificationAsync);
        yield return new("POST /notifications/announcements",
            s => (HttpMethod.Post, "/notifications/announcements", new { title = "Maintenance", body = "Tonight at 22:00.", organization_id = s.OrganizationId }),
            Expect.PlatformAdminsOnly(HttpStatusCode.Created), Mutates: true);
        yield return new("POST /contacts/{contact_id}/notes",
            s => (HttpMethod.Post, $"/contacts/{s.ContactId}/notes", new { text = "Called back, all fine." }),
            Expect.Writers(HttpStatusCode.Created), Mutates: true, Setup: s => s.CreateContactAsync());
        yield return new("GET /ws", _ => (HttpMethod.Get, "/ws", null), Enum.GetValues<Caller>().ToDictionary(c => c, _ => HttpStatusCode.Unauthorized));
    }

    private static long Owners(MatrixScene scene) => OwnersNotification.TryGetValue(scene, out var box) ? box.Value : 0;

    private static async Task CreateOwnersNotificationAsync(MatrixScene scene)
    {
        var (status, body, _) = await scene.System.Http.PostJsonAsync("/notifications/test", new { title = "Owner's" }, scene.OwnerToken);
        Assert.Equal(HttpStatusCode.Created, status);
        OwnersNotification.AddOrUpdate(scene, new StrongBox<long>(body!["id"]!.GetValue<long>()));
    }

    /// <summary>Only the notification's owner finds it; every other signed-in caller gets 404, anonymous 401.</summary>
    private static Dictionary<Caller, HttpStatusCode> OwnerOnly(HttpStatusCode ok) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, c => c switch
        {
            Caller.Owner => ok,
            Caller.Anonymous => HttpStatusCode.Unauthorized,
            _ => HttpStatusCode.NotFound,
        });
}
