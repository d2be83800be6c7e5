using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>Who calls: a role in the scene's organization, an outsider, a platform administrator, or nobody.</summary>
public enum Caller
{
    Owner,
    Admin,
    Member,
    Viewer,
    NonMember,
    PlatformAdmin,
    Anonymous,
}

/// <summary>
/// One endpoint of the authorization matrix: how to call it in a scene, and the exact status each caller
/// must get. Modules add their endpoints as rows (see <see cref="AuthorizationMatrix.Endpoints"/>).
/// </summary>
/// <param name="Name">Unique, shown in the test name, e.g. "PUT /team/organizations/{org_id}".</param>
/// <param name="Request">Builds the request in a scene (path and JSON body).</param>
/// <param name="Expected">Status per caller; every <see cref="Caller"/> must be listed.</param>
/// <param name="Mutates">True when the call changes the scene, so every caller gets a fresh one.</param>
/// <param name="Setup">Prepares what the request addresses (a target member, an invitation, …) in the scene.</param>
public sealed record EndpointCase(
    string Name,
    Func<MatrixScene, (HttpMethod Method, string Path, object? Body)> Request,
    IReadOnlyDictionary<Caller, HttpStatusCode> Expected,
    bool Mutates = false,
    Func<MatrixScene, Task>? Setup = null,
    bool Streams = false);

/// <summary>Expected-status tables for the common shapes of access.</summary>
public static class Expect
{
    private static Dictionary<Caller, HttpStatusCode> Table(HttpStatusCode ok, HttpStatusCode admin, HttpStatusCode member, HttpStatusCode viewer, HttpStatusCode owner) => new()
    {
        [Caller.Owner] = owner,
        [Caller.Admin] = admin,
        [Caller.Member] = member,
        [Caller.Viewer] = viewer,
        [Caller.NonMember] = HttpStatusCode.NotFound,
        [Caller.PlatformAdmin] = HttpStatusCode.NotFound,
        [Caller.Anonymous] = HttpStatusCode.Unauthorized,
    };

    /// <summary>Any member may; outsiders (platform administrators too) get 404; anonymous 401.</summary>
    public static Dictionary<Caller, HttpStatusCode> AnyMember(HttpStatusCode ok = HttpStatusCode.OK) => Table(ok, ok, ok, ok, ok);

    /// <summary>Members with write access (member and up) may; viewers 403.</summary>
    public static Dictionary<Caller, HttpStatusCode> Writers(HttpStatusCode ok = HttpStatusCode.OK) => Table(ok, ok, ok, HttpStatusCode.Forbidden, ok);

    /// <summary>Admins and owners may; members and viewers 403.</summary>
    public static Dictionary<Caller, HttpStatusCode> Managers(HttpStatusCode ok = HttpStatusCode.OK) =>
        Table(ok, ok, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, ok);

    /// <summary>Owners only.</summary>
    public static Dictionary<Caller, HttpStatusCode> OwnersOnly(HttpStatusCode ok = HttpStatusCode.OK) =>
        Table(ok, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, ok);

    /// <summary>Any signed-in user (not organization-scoped).</summary>
    public static Dictionary<Caller, HttpStatusCode> AnyUser(HttpStatusCode ok = HttpStatusCode.OK) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, c => c == Caller.Anonymous ? HttpStatusCode.Unauthorized : ok);

    /// <summary>Platform administrators only.</summary>
    public static Dictionary<Caller, HttpStatusCode> PlatformAdminsOnly(HttpStatusCode ok = HttpStatusCode.OK) =>
        Enum.GetValues<Caller>().ToDictionary(c => c, c => c switch
        {
            Caller.Anonymous => HttpStatusCode.Unauthorized,
            Caller.PlatformAdmin => ok,
            _ => HttpStatusCode.Forbidden,
        });
}
