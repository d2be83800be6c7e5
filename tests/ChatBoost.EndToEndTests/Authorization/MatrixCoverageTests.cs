using ChatBoost.EndToEndTests.Harness;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The matrix is written by hand; the routes are not. The running API logs its route table (every endpoint of its
/// endpoint data source, see <c>ChatBoost.Api.Hosting.RouteTableLog</c>) and every route in it must have at least one
/// row, named "METHOD /pattern" (a suffix after '?' tells variants of one route apart).
/// </summary>
[Collection(SecondSystemCollection.Name)]
public partial class MatrixCoverageTests(SharedSystemFixture fixture)
{
    private const string Prefix = "Route table: ";

    [Fact]
    public void EveryMappedRouteHasARowInTheAuthorizationMatrix()
    {
        var routes = MappedRoutes(fixture.System);
        Assert.True(routes.Count > 50, $"The route table looks truncated: {string.Join(", ", routes)}");
        var covered = AuthorizationMatrix.Endpoints().Select(e => RouteOf(e.Name)).ToHashSet(StringComparer.Ordinal);
        var coveredPaths = covered.Select(PathOf).ToHashSet(StringComparer.Ordinal);

        // A route without method metadata (health checks) answers every method: any row for its path covers it.
        var missing = routes.Where(r => r.StartsWith("* ", StringComparison.Ordinal) ? !coveredPaths.Contains(PathOf(r)) : !covered.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "Routes without a row in the authorization matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryRowNamesARouteThatIsMapped()
    {
        var routes = MappedRoutes(fixture.System).ToHashSet(StringComparer.Ordinal);
        var anyMethodPaths = routes.Where(r => r.StartsWith("* ", StringComparison.Ordinal)).Select(PathOf).ToHashSet(StringComparer.Ordinal);
        var stale = AuthorizationMatrix.Endpoints().Select(e => e.Name)
            .Where(n => !routes.Contains(RouteOf(n)) && !anyMethodPaths.Contains(PathOf(RouteOf(n)))).ToList();
        Assert.True(stale.Count == 0, "Matrix rows for routes the API does not map: " + string.Join(", ", stale));
    }

    /// <summary>"GET /bots/?organization_id" is a row for the route "GET /bots".</summary>
    private static string RouteOf(string rowName) => Normalize(rowName.Split('?')[0]);

    private static string PathOf(string route) => route[(route.IndexOf(' ', StringComparison.Ordinal) + 1)..];

    /// <summary>"GET /bots/{bot_id:long}/" and "GET /bots/{bot_id}" are one route: constraints and a trailing '/' do not matter.</summary>
    private static string Normalize(string route)
    {
        var withoutConstraints = RouteConstraint().Replace(route.Trim(), "}");
        return withoutConstraints.Length > 1 && withoutConstraints.EndsWith('/') && !withoutConstraints.EndsWith(" /", StringComparison.Ordinal)
            ? withoutConstraints[..^1]
            : withoutConstraints;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@":[^}]*\}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    private static List<string> MappedRoutes(ChatBoostSystem system)
    {
        var line = system.Api.Output.Split('\n').LastOrDefault(l => l.Contains(Prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The API did not log its route table.");
        return [.. line[(line.IndexOf(Prefix, StringComparison.Ordinal) + Prefix.Length)..].Trim().Split(" | ").Select(Normalize).Distinct(StringComparer.Ordinal)];
    }
}
