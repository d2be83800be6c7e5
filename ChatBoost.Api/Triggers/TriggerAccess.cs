using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Triggers;

namespace ChatBoost.Api.Triggers;

/// <summary>
/// How the trigger endpoints find the organization the permission check is made against: the owner of the trigger
/// <c>{trigger_id}</c> (null, so 404, when it does not exist or was deleted). Its address is remembered for the handler.
/// </summary>
public static class TriggerAccess
{
    private static readonly object TriggerKey = new();

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

    /// <summary>The trigger set of the trigger's bot (after <see cref="OfRouteTrigger"/>).</summary>
    public static ITriggerSetGrain TriggerSet(HttpContext http, IClusterClient cluster) =>
        cluster.GetGrain<ITriggerSetGrain>(((TriggerAddress)http.Items[TriggerKey]!).BotId);
}
