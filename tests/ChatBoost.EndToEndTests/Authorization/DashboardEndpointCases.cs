using System.Net;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Orleans dashboard at <c>/dashboard</c> (its page, assets and JSON feeds): platform admins only — it shows every
/// tenant's grains, so a member of any organization is refused (403) like an anonymous caller (401).
/// </summary>
public static class DashboardEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        foreach (var (route, path) in new[]
        {
            ("GET /dashboard", "/dashboard/"),
            ("GET /dashboard/ClusterStats", "/dashboard/ClusterStats"),
            ("GET /dashboard/DashboardCounters", "/dashboard/DashboardCounters"),
            ("GET /dashboard/GrainState", "/dashboard/GrainState"),
            ("GET /dashboard/GrainStats/{*grainName}", "/dashboard/GrainStats/ContactGrain"),
            ("GET /dashboard/GrainTypes", "/dashboard/GrainTypes"),
            ("GET /dashboard/LifecycleStages", "/dashboard/LifecycleStages"),
            ("GET /dashboard/Reminders", "/dashboard/Reminders"),
            ("GET /dashboard/Reminders/{page}", "/dashboard/Reminders/1"),
            ("GET /dashboard/SiloMetadata/{*address}", "/dashboard/SiloMetadata/127.0.0.1:11111@1"),
            ("GET /dashboard/SiloStats/{*address}", "/dashboard/SiloStats/127.0.0.1:11111@1"),
            ("GET /dashboard/TopGrainMethods", "/dashboard/TopGrainMethods"),
            ("GET /dashboard/favicon.ico", "/dashboard/favicon.ico"),
            ("GET /dashboard/index.css", "/dashboard/index.css"),
            ("GET /dashboard/index.html", "/dashboard/index.html"),
            ("GET /dashboard/index.min.js", "/dashboard/index.min.js"),
            ("GET /dashboard/version", "/dashboard/version"),
        })
        {
            yield return new(route, _ => (HttpMethod.Get, path, null), Expect.PlatformAdminsOnly());
        }

        // A silo address that is no silo of the cluster: the dashboard's call fails, answered 503 like any cluster failure.
        foreach (var feed in new[] { "HistoricalStats/{*path}", "SiloCounters/{*address}", "SiloProperties/{*address}" })
        {
            var path = "/dashboard/" + feed[..feed.IndexOf('/', StringComparison.Ordinal)] + "/127.0.0.1:1@1";
            yield return new("GET /dashboard/" + feed, _ => (HttpMethod.Get, path, null), Expect.PlatformAdminsOnly(HttpStatusCode.ServiceUnavailable));
        }

        // Assets the page does not have.
        yield return new("GET /dashboard/fonts/{**path}", _ => (HttpMethod.Get, "/dashboard/fonts/none.woff", null), Expect.PlatformAdminsOnly(HttpStatusCode.NotFound));
        yield return new("GET /dashboard/img/{**path}", _ => (HttpMethod.Get, "/dashboard/img/none.png", null), Expect.PlatformAdminsOnly(HttpStatusCode.NotFound));

        // The live trace streams until the client leaves: only its status line is read.
        yield return new("GET /dashboard/Trace", _ => (HttpMethod.Get, "/dashboard/Trace", null), Expect.PlatformAdminsOnly(), Streams: true);
    }
}
