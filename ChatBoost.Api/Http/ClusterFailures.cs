using ChatBoost.Grains.Interfaces;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace ChatBoost.Api.Http;

/// <summary>Exceptions that mean "the cluster or its database is unavailable right now": a 503, never a 4xx or 500.</summary>
public static class ClusterFailures
{
    public static bool IsUnavailable(Exception exception) => exception is
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException
        or TimeoutException or ConnectionFailedException or DependencyUnavailableException
        or OrleansException { InnerException: TimeoutException };

    public static void SetRetryAfter(HttpContext context) => context.Response.Headers.RetryAfter = "5";
}
