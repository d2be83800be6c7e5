using Orleans.Configuration;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// How the API follows the cluster and how it stops. The reasoning is in docs/architecture.md ("Running as a cluster").
/// </summary>
/// <remarks>
/// A gateway whose connection breaks is dropped by the client at once; <see cref="GatewayListRefresh"/> bounds how long
/// it takes to learn of gateways that joined or were declared dead without the client noticing (Orleans' default is a
/// minute). A call that fails because its gateway or its grain's silo died surfaces as a cluster exception, which the
/// API answers with 503 and Retry-After (<see cref="Http.ClusterFailures"/>), so Meta delivers the webhook again.
/// </remarks>
public static class ClusterClientTuning
{
    public static readonly TimeSpan GatewayListRefresh = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The whole of a graceful stop (SIGTERM): Kestrel stops accepting connections, requests in flight finish, open
    /// <c>/ws</c> sockets are closed with 1012 and a reconnect hint (<see cref="Notifications.SocketSession"/>), then the
    /// cluster client disconnects.
    /// </summary>
    public static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(20);

    public static IClientBuilder UseChatBoostClusterTuning(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownBudget);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefresh);
        return client;
    }
}
