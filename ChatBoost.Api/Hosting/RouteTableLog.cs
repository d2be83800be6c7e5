namespace ChatBoost.Api.Hosting;

/// <summary>
/// Writes the API's route table, every mapped endpoint's methods and pattern as the endpoint data source holds them,
/// to the log once the API has started: one line an operator can read to see what the API exposes, and that the
/// end-to-end tests compare with the authorization matrix (a route without a row fails them).
/// </summary>
public static class RouteTableLog
{
    public const string Prefix = "Route table: ";

    public static void LogRouteTableOnStart(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
                .OfType<RouteEndpoint>()
                .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
                .Order(StringComparer.Ordinal);
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RouteTableLog))
                .LogInformation("{Prefix}{Routes}", Prefix, string.Join(" | ", routes));
        });
}
