using System.Globalization;
using System.Threading.RateLimiting;
using ChatBoost.Configuration;
using Microsoft.AspNetCore.RateLimiting;

namespace ChatBoost.Api.Auth;

/// <summary>
/// Per-process request limits on the anonymous auth endpoints (ASP.NET Core's rate limiter), keyed by
/// <see cref="ClientAddress"/>: logins and verifications per client per minute; registrations per client per
/// hour and, for all clients together, per minute. They are a cheap first line before any grain call or
/// BCrypt; the limits that must hold across API instances (failed logins) are the grains of
/// <see cref="LoginThrottle"/>. Refusals are 429 problems with Retry-After.
/// </summary>
public static class AuthRateLimits
{
    public const string Login = "auth-login";
    public const string Registration = "auth-registration";
    private const string AllRegistrations = "registrations";

    public static IServiceCollection AddAuthRateLimits(this IServiceCollection services, AuthOptions options) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Login, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(context), _ => Window(options.LoginRequestsPerMinutePerClient, TimeSpan.FromMinutes(1))));
            o.AddPolicy(Registration, context => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(context), _ => Window(options.RegistrationsPerHourPerClient, TimeSpan.FromHours(1))));

            // The global limiter runs before the endpoint's policy; it limits only registration, for everyone at once.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Registration
                    ? RateLimitPartition.GetFixedWindowLimiter(AllRegistrations, _ => Window(options.RegistrationsPerMinute, TimeSpan.FromMinutes(1)))
                    : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = (rejected, _) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 60;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(TypedResults.Problem(
                    $"Too many requests from this client. Try again in {seconds} seconds.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests.").ExecuteAsync(rejected.HttpContext));
            };
        });

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits,
        Window = window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
