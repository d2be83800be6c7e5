using System.Globalization;

namespace ChatBoost.EndToEndTests.Authorization;

/// <summary>
/// The Analytics rows of the authorization matrix: every member, a viewer included, may read a bot's or an organization's
/// analytics (analytics.read); outsiders get 404; aggregate-now needs bots.write. Without a filter a report spans the
/// caller's own organizations, so any signed-in user gets 200.
/// </summary>
public static class AnalyticsEndpointCases
{
    public static IEnumerable<EndpointCase> All()
    {
        static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'00:00:00", CultureInfo.InvariantCulture);

        // The seed's date range shape, over days the retention holds whatever day the test runs.
        static string DatesNearToday() =>
            $"start_date={DateTime.UtcNow.Date.AddDays(-2):yyyy-MM-dd'T'HH:mm:ss}&end_date={DateTime.UtcNow.Date:yyyy-MM-dd'T'23:59:59}";

        foreach (var (route, query) in new[]
        {
            ("/analytics/overview", "period=7days"),
            ("/analytics/active-contacts", "period=30days"),
            ("/analytics/message-distribution", "period=today"),
            ("/analytics/health", ""),
        })
        {
            yield return new($"GET {route}", _ => (HttpMethod.Get, $"{route}?{query}", null), Expect.AnyUser());
            yield return new($"GET {route}?bot_id", s => (HttpMethod.Get, $"{route}?{query}&bot_id={s.BotId}", null),
                Expect.AnyMember(), Setup: s => s.CreateBotAsync());
            yield return new($"GET {route}?organization_id", s => (HttpMethod.Get, $"{route}?{query}&organization_id={s.OrganizationId}", null),
                Expect.AnyMember());
        }

        yield return new("GET /analytics/trends", _ => (HttpMethod.Get, $"/analytics/trends?{DatesNearToday()}", null), Expect.AnyUser());
        yield return new("GET /analytics/trends?bot_id", s => (HttpMethod.Get, $"/analytics/trends?{DatesNearToday()}&bot_id={s.BotId}&format=csv", null),
            Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("GET /analytics/delivery-rates", _ => (HttpMethod.Get, $"/analytics/delivery-rates?{DatesNearToday()}&granularity=hourly", null),
            Expect.AnyUser());
        yield return new("GET /analytics/delivery-rates?bot_id",
            s => (HttpMethod.Get, $"/analytics/delivery-rates?{DatesNearToday()}&granularity=daily&bot_id={s.BotId}", null),
            Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("GET /analytics/bots/{bot_id}/performance",
            s => (HttpMethod.Get, $"/analytics/bots/{s.BotId}/performance?period=30days", null), Expect.AnyMember(), Setup: s => s.CreateBotAsync());
        yield return new("GET /analytics/flows/{flow_id}/funnel",
            s => (HttpMethod.Get, $"/analytics/flows/{s.FlowId}/funnel?period=7days", null), Expect.AnyMember(), Setup: s => s.CreateFlowAsync());
        yield return new("POST /analytics/aggregate-now",
            s => (HttpMethod.Post, "/analytics/aggregate-now", new { date = Today(), bot_id = s.BotId, force_recalculate = true }),
            Expect.Writers(), Setup: s => s.CreateBotAsync());
        yield return new("POST /analytics/aggregate-now?every_bot",
            _ => (HttpMethod.Post, "/analytics/aggregate-now", new { date = Today(), force_recalculate = false }), Expect.AnyUser());

    }
}
