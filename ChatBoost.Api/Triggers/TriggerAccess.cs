using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// How the trigger endpoints find the organization the permission check is made against: the owner of the trigger
/// <c>{trigger_id}</c> (null, so 404, when it does not exist or was deleted), or of the run <c>{run_id}</c>. What was
/// found is remembered for the handler.
/// </summary>
public static class TriggerAccess
{
    private static readonly object TriggerKey = new();
    private static readonly object RunKey = new();

    public static async ValueTask<long?> OfRouteTrigger(HttpContext http)
    {
        if (OrganizationPermissionExtensions.RouteId(http, "trigger_id") is not { } id
            || await http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<ITriggerQueryGrain>(0).FindAsync(id) is not { } address)
        {
            return null;
        }

        http.Items[TriggerKey] = address;
        return address.OrganizationId;
    }

    /// <summary>The trigger's address (after <see cref="OfRouteTrigger"/>).</summary>
    public static TriggerAddress Address(HttpContext http) => (TriggerAddress)http.Items[TriggerKey]!;

    /// <summary>The organization of the run <c>{run_id}</c> (null, so 404, when there is none); the run, with its progress,
    /// is remembered for the handler.</summary>
    public static async ValueTask<long?> OfRouteRun(HttpContext http)
    {
        if (OrganizationPermissionExtensions.RouteId(http, "run_id") is not { } id
            || await http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<ITriggerQueryGrain>(0).RunAsync(id) is not { } run)
        {
            return null;
        }

        http.Items[RunKey] = run;
        return run.OrganizationId;
    }

    /// <summary>The run read by <see cref="OfRouteRun"/>.</summary>
    public static TriggerRunView Run(HttpContext http) => (TriggerRunView)http.Items[RunKey]!;

    /// <summary>The trigger set of the trigger's bot (after <see cref="OfRouteTrigger"/>).</summary>
    public static ITriggerSetGrain TriggerSet(HttpContext http, IClusterClient cluster) =>
        cluster.GetGrain<ITriggerSetGrain>(((TriggerAddress)http.Items[TriggerKey]!).BotId);
}
