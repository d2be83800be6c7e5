using Orleans.Dashboard;

namespace ChatBoost.Api.Operations;

/// <summary>
/// What the API's Orleans client adds for operations: the trace context travels with every grain call (one webhook is
/// one trace from the API through the grains to the Graph API call), and the dashboard's services (its pages are
/// <see cref="DashboardEndpoints"/>; the silos host its grains).
/// </summary>
public static class ClusterClientOperations
{
    public static IClientBuilder AddChatBoostOperations(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.AddActivityPropagation();
        client.AddDashboard();
        return client;
    }
}
