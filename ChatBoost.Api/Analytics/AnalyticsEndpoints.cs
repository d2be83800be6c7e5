using ChatBoost.Api.Auth;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Contacts;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces;
using ChatBoost.Grains.Interfaces.Analytics;
using ChatBoost.Grains.Interfaces.Organizations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using static ChatBoost.Grains.Interfaces.Organizations.Permissions;

namespace ChatBoost.Api.Analytics;

/// <summary>
/// The seed's Analytics &amp; Reporting module and the per-node funnel (analytics.read; aggregate-now needs bots.write).
/// Every figure is defined in docs/analytics.md and read from the rollups through <see cref="IAnalyticsQueryGrain"/>;
/// without bot_id a report spans every bot of the organizations the caller belongs to (organization_id narrows it).
/// Any report is CSV with format=csv.
/// </summary>
public static class AnalyticsEndpoints
{
    public const string Tag = "Analytics";

    public const string TagDescription =
        "Message, delivery, contact and flow statistics from hourly and daily rollups (definitions: docs/analytics.md), the " +
        "per-node funnel, CSV export, on-demand aggregation and the aggregation's health.";

    private const string ScopeDescription =
        " Without bot_id over every bot of every organization the caller belongs to; organization_id or bot_id narrow it (404 " +
        "when not visible). tz (IANA, default UTC) moves day boundaries; format=csv answers CSV.";

    private const string PeriodDescription = " period: today, 24hours, 7days (default), 30days or 90days (see docs/analytics.md).";

    public static RouteGroupBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/analytics").WithModuleTag(Tag, TagDescription);

        Report(analytics.MapGet("/overview", (HttpContext http, IClusterClient cluster) =>
                PeriodAsync(http, cluster, (g, q) => g.OverviewAsync(q), AnalyticsCsv.Overview, "overview")), "Overview", "Analytics overview for a period",
            "The seed's overview: total messages, active contacts, delivery rate, average response time (seconds), top message " +
            "types, flow completion rate and the changes against the previous period of the same length." + PeriodDescription + ScopeDescription)
            .Produces<OverviewReport>();

        Report(analytics.MapGet("/trends", (HttpContext http, IClusterClient cluster) =>
                SeriesAsync(http, cluster, (g, q) => g.TrendsAsync(q), "trends", hourlyAllowed: false)), "Trends", "Daily trends over a date range",
            "One bucket per day from the day of start_date to the day of end_date (both included), and their total." + ScopeDescription,
            dates: true)
            .Produces<SeriesReport>();

        analytics.MapGet("/bots/{bot_id:long}/performance", PerformanceAsync)
            .ValidateFirst((http, errors) => ValidatePeriodQuery(http, errors))
            .RequireOrganizationPermission(AnalyticsRead, BotAccess.OfRouteBot)
            .PeriodParameters()
            .WithName("Analytics_BotPerformance")
            .WithSummary("A bot's performance over a period")
            .WithDescription("The period's figures, the previous period's, the changes and one bucket per hour or day." + PeriodDescription)
            .Produces<BotPerformanceReport>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        Report(analytics.MapGet("/delivery-rates", (HttpContext http, IClusterClient cluster) =>
                SeriesAsync(http, cluster, (g, q) => g.DeliveryRatesAsync(q), "delivery-rates", hourlyAllowed: true)), "DeliveryRates",
            "Delivery rates over a date range",
            "Sent, delivered, read, failed and in-doubt outbound messages and the rates, per hour or day (granularity=hourly|daily, " +
            "default daily; hours for the hourly retention only)." + ScopeDescription, dates: true)
            .Produces<SeriesReport>();

        Report(analytics.MapGet("/active-contacts", (HttpContext http, IClusterClient cluster) =>
                PeriodAsync(http, cluster, (g, q) => g.ActiveContactsAsync(q), AnalyticsCsv.ActiveContacts, "active-contacts")), "ActiveContacts",
            "Active, new and returning contacts", "Distinct contacts with a message in the period, contacts created in it, and the active " +
            "ones created before it, with the growth against the previous period." + PeriodDescription + ScopeDescription)
            .Produces<ActiveContactsReport>();

        Report(analytics.MapGet("/message-distribution", (HttpContext http, IClusterClient cluster) =>
                PeriodAsync(http, cluster, (g, q) => g.DistributionAsync(q), AnalyticsCsv.Distribution, "message-distribution")), "MessageDistribution",
            "Messages by type", "Counts by message type, inbound and outbound, and each type's share in percent." + PeriodDescription + ScopeDescription)
            .Produces<MessageDistributionReport>();

        analytics.MapGet("/flows/{flow_id:long}/funnel", FunnelAsync)
            .ValidateFirst((http, errors) =>
            {
                ValidatePeriodQuery(http, errors);
                AnalyticsParameters.Version(http.Request, errors);
            })
            .RequireOrganizationPermission(AnalyticsRead, BotAccess.OfRouteFlow)
            .PeriodParameters()
            .WithQueryParameter("version", JsonSchemaType.Integer, "Only this published version of the flow.", format: "int32")
            .WithName("Analytics_FlowFunnel")
            .WithSummary("A flow's per-node funnel")
            .WithDescription(
                "Per node, over the node entries in the period: entered, left, waited, failed there, dropped off there (cancelled or " +
                "timed out as the last node), still there. version narrows it to one published version." + PeriodDescription)
            .Produces<FlowFunnelReport>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        analytics.MapPost("/aggregate-now", AggregateNowAsync)
            .RequireOrganizationPermissionFromBody<AggregateNowRequest>(BotsWrite, (http, b) =>
                b.BotId is { } bot ? BotAccess.OfBot(http, bot) : ValueTask.FromResult<long?>(CurrentUser.Get(http).PersonalOrganizationId))
            .WithName("Analytics_AggregateNow")
            .WithSummary("Aggregate a day now")
            .WithDescription(
                "Recomputes the rollups of date's UTC day (within the daily retention) from the raw rows, for bot_id or every bot the " +
                "caller may write to. Without force_recalculate a day already aggregated after it ended is skipped (the result would " +
                "be the same: aggregation is idempotent). Many bots are aggregated in chunks of 100 (one grain call and one pass over " +
                "the day each); chunks says how many.")
            .Produces<AggregateNowResult>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        analytics.MapGet("/health", HealthAsync)
            .ValidateFirst((http, errors) => AnalyticsParameters.Csv(http.Request, errors))
            .RequireScopedPermission(AnalyticsRead)
            .WithQueryParameter("format", JsonSchemaType.String, "json (default) or csv.")
            .WithName("Analytics_Health")
            .WithSummary("Analytics health")
            .WithDescription(
                "The aggregation's lag (seconds since the minute tick last finished; degraded over 180), its last runs, the rollup " +
                "rows of the caller's bots and their caches' state.")
            .Produces<AnalyticsHealthReport>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return analytics;
    }

    /// <summary>The shared shape of the scoped reports: validation first, the scoped permission, the contract.</summary>
    private static RouteHandlerBuilder Report(RouteHandlerBuilder builder, string name, string summary, string description, bool dates = false) =>
        (dates ? builder.DateParameters(granularity: name == "DeliveryRates") : builder.PeriodParameters())
            .ValidateFirst((http, errors) =>
            {
                AnalyticsParameters.Tz(http.Request, errors);
                AnalyticsParameters.Csv(http.Request, errors);
                if (dates)
                {
                    AnalyticsParameters.Dates(http.Request, errors);
                    AnalyticsParameters.Granularity(http.Request, errors);
                }
                else
                {
                    AnalyticsParameters.Period(http.Request, errors);
                }
            })
            .RequireScopedPermission(AnalyticsRead)
            .WithName($"Analytics_{name}")
            .WithSummary(summary)
            .WithDescription(description)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static RouteHandlerBuilder PeriodParameters(this RouteHandlerBuilder builder) =>
        builder
            .WithQueryParameter("period", JsonSchemaType.String, "today, 24hours, 7days (default), 30days or 90days.")
            .CommonParameters();

    private static RouteHandlerBuilder DateParameters(this RouteHandlerBuilder builder, bool granularity) =>
        (granularity ? builder.WithQueryParameter("granularity", JsonSchemaType.String, "hourly or daily (default).") : builder)
            .WithQueryParameter("start_date", JsonSchemaType.String, "ISO 8601, UTC unless it has an offset: the first bucket is the one holding it.", required: true, format: "date-time")
            .WithQueryParameter("end_date", JsonSchemaType.String, "ISO 8601, UTC unless it has an offset: the last bucket is the one holding it.", required: true, format: "date-time")
            .CommonParameters();

    private static RouteHandlerBuilder CommonParameters(this RouteHandlerBuilder builder) =>
        builder
            .WithQueryParameter("tz", JsonSchemaType.String, "IANA time zone of day boundaries (default UTC).")
            .WithQueryParameter("format", JsonSchemaType.String, "json (default) or csv.");

    private static void ValidatePeriodQuery(HttpContext http, ValidationErrors errors)
    {
        AnalyticsParameters.Period(http.Request, errors);
        AnalyticsParameters.Tz(http.Request, errors);
        AnalyticsParameters.Csv(http.Request, errors);
    }

    private static async Task<IResult> PeriodAsync<T>(
        HttpContext http, IClusterClient cluster, Func<IAnalyticsQueryGrain, AnalyticsQuery, Task<CommandResult<T>>> ask,
        Func<T, string> csv, string name)
    {
        var errors = new ValidationErrors();
        var query = await QueryAsync(http, AnalyticsParameters.Period(http.Request, errors), errors);
        var result = await ask(cluster.GetGrain<IAnalyticsQueryGrain>(0), query);
        return result.ToHttp(report => AnalyticsParameters.Csv(http.Request, errors) ? AnalyticsCsv.File(name, csv(report)) : TypedResults.Ok(report));
    }

    private static async Task<IResult> SeriesAsync(
        HttpContext http, IClusterClient cluster, Func<IAnalyticsQueryGrain, AnalyticsQuery, Task<CommandResult<SeriesReport>>> ask,
        string name, bool hourlyAllowed)
    {
        var errors = new ValidationErrors();
        var (start, end) = AnalyticsParameters.Dates(http.Request, errors);
        var granularity = hourlyAllowed ? AnalyticsParameters.Granularity(http.Request, errors) : StatsGranularity.Daily;
        var query = await QueryAsync(http, AnalyticsParameters.DefaultPeriod, errors) with { StartDate = start, EndDate = end, Granularity = granularity };
        var result = await ask(cluster.GetGrain<IAnalyticsQueryGrain>(0), query);
        return result.ToHttp(report => AnalyticsParameters.Csv(http.Request, errors)
            ? AnalyticsCsv.File(name, AnalyticsCsv.Series(report.Buckets, report.Totals))
            : TypedResults.Ok(report));
    }

    private static async Task<IResult> PerformanceAsync([FromRoute(Name = "bot_id")] long botId, HttpContext http, IClusterClient cluster)
    {
        var errors = new ValidationErrors();
        var query = new AnalyticsQuery(
            [OrganizationAccess.Get(http).OrganizationId], botId, AnalyticsParameters.Period(http.Request, errors), AnalyticsParameters.Tz(http.Request, errors));
        var result = await cluster.GetGrain<IAnalyticsQueryGrain>(0).PerformanceAsync(query);
        return result.ToHttp(report => AnalyticsParameters.Csv(http.Request, errors)
            ? AnalyticsCsv.File($"bot-{botId}-performance", AnalyticsCsv.Series(report.Buckets, report.Current))
            : TypedResults.Ok(report));
    }

    private static async Task<IResult> FunnelAsync([FromRoute(Name = "flow_id")] long flowId, HttpContext http, IClusterClient cluster)
    {
        var errors = new ValidationErrors();
        var result = await cluster.GetGrain<IAnalyticsQueryGrain>(0).FunnelAsync(
            flowId, AnalyticsParameters.Version(http.Request, errors), AnalyticsParameters.Period(http.Request, errors), AnalyticsParameters.Tz(http.Request, errors));
        return result.ToHttp(report => AnalyticsParameters.Csv(http.Request, errors)
            ? AnalyticsCsv.File($"flow-{flowId}-funnel", AnalyticsCsv.Funnel(report))
            : TypedResults.Ok(report));
    }

    private static async Task<IResult> AggregateNowAsync(Body<AggregateNowRequest> body, HttpContext http, IClusterClient cluster)
    {
        var request = body.Value;
        IReadOnlyList<long> bots;
        if (request.BotId is { } bot)
        {
            bots = [bot];
        }
        else
        {
            var mine = await cluster.GetGrain<IOrganizationRegistryGrain>(0).ListForUserAsync(CurrentUser.Get(http).Id);
            bots = await cluster.GetGrain<IAnalyticsQueryGrain>(0).BotsOfAsync([.. mine.Where(o => Has(o.Role, BotsWrite)).Select(o => o.Id).Distinct()]);
        }

        var result = await AggregateNow.RunChunkedAsync(
            cluster.GetGrain<IAnalyticsAggregationGrain>(0), new AggregateNowCommand(request.Day, bots, request.ForceRecalculate ?? false),
            cancellationToken: http.RequestAborted);
        return result.ToHttp(r => TypedResults.Ok(r));
    }

    private static async Task<IResult> HealthAsync(HttpContext http, IClusterClient cluster)
    {
        var scope = await ContactAccess.ScopeAsync(http, AnalyticsRead);
        var report = await cluster.GetGrain<IAnalyticsQueryGrain>(0).HealthAsync(scope.OrganizationIds);
        return AnalyticsParameters.Csv(http.Request, new ValidationErrors()) ? AnalyticsCsv.File("analytics-health", AnalyticsCsv.Health(report)) : TypedResults.Ok(report);
    }

    private static async Task<AnalyticsQuery> QueryAsync(HttpContext http, string period, ValidationErrors errors)
    {
        var scope = await ContactAccess.ScopeAsync(http, AnalyticsRead);
        return new AnalyticsQuery(scope.OrganizationIds, scope.BotId, period, AnalyticsParameters.Tz(http.Request, errors));
    }
}
