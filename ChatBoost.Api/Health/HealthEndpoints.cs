using ChatBoost.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBoost.Api.Health;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (cluster and database answer).</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = OpsServer.ReadyTag;

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous();
    }

    private static Task WriteAsync(HttpContext context, HealthReport report) => OpsServer.WriteAsync(context, report);
}
