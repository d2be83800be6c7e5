using System.Globalization;
using ChatBoost.Api.Auth;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Flows;

namespace ChatBoost.Api.Bots;

/// <summary>
/// How the bot builder's endpoints find the organization the one permission check
/// (<see cref="OrganizationPermissionExtensions.RequireOrganizationPermission{TBuilder}(TBuilder, string, Func{HttpContext, ValueTask{long?}})"/>)
/// is made against: the owner of the addressed bot, flow, node or template (null, so 404, when it does not exist,
/// was deleted, or the route id is malformed), or an organization named in the body or query.
/// </summary>
public static class BotAccess
{
    private static readonly object BodyKey = new();
    private static readonly object FlowIdKey = new();

    public static ValueTask<long?> OfRouteBot(HttpContext http) =>
        OfBot(http, OrganizationPermissionExtensions.RouteId(http, "bot_id"));

    public static ValueTask<long?> OfRouteFlow(HttpContext http) =>
        OfFlow(http, OrganizationPermissionExtensions.RouteId(http, "flow_id"));

    /// <summary>The node's flow (remembered for the handler, see <see cref="FlowOfNode"/>), then its organization.</summary>
    public static async ValueTask<long?> OfRouteNode(HttpContext http)
    {
        if (OrganizationPermissionExtensions.RouteId(http, "node_id") is not { } nodeId
            || await Cluster(http).GetGrain<IFlowRegistryGrain>(0).FindFlowOfNodeAsync(nodeId) is not { } flowId)
        {
            return null;
        }

        http.Items[FlowIdKey] = flowId;
        return await OfFlow(http, flowId);
    }

    public static async ValueTask<long?> OfRouteTemplate(HttpContext http) =>
        OrganizationPermissionExtensions.RouteId(http, "template_id") is { } id
            ? await Cluster(http).GetGrain<IFlowRegistryGrain>(0).GetTemplateOrganizationAsync(id)
            : null;

    public static async ValueTask<long?> OfBot(HttpContext http, long? botId) =>
        botId is { } id ? await Cluster(http).GetGrain<IBotGrain>(id).GetOrganizationIdAsync() : null;

    public static async ValueTask<long?> OfFlow(HttpContext http, long? flowId) =>
        flowId is { } id ? await Cluster(http).GetGrain<IFlowGrain>(id).GetOrganizationIdAsync() : null;

    /// <summary>The organization named, or else the caller's personal organization (which every user owns).</summary>
    public static long OrPersonal(HttpContext http, long? organizationId) => organizationId ?? CurrentUser.Get(http).PersonalOrganizationId;

    /// <summary>
    /// For lists: the organization in query parameter <paramref name="name"/>; without it, the caller's personal
    /// organization, and the handler lists across every organization the caller belongs to (every role may read).
    /// A malformed value resolves to null (404).
    /// </summary>
    public static long? QueryId(HttpContext http, string name, out bool present)
    {
        var raw = http.Request.Query[name].ToString();
        present = raw.Length > 0;
        return !present ? null
            : long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : -1;
    }

    /// <summary>
    /// The check for lists across organizations: a malformed <c>organization_id</c> is 422; the permission is checked
    /// in the organization named, or else in the caller's personal organization.
    /// </summary>
    public static RouteHandlerBuilder RequireListPermission(this RouteHandlerBuilder builder, string permission) =>
        builder.ValidateQueryIds("organization_id")
            .RequireOrganizationPermission(permission, http => ValueTask.FromResult<long?>(OrPersonal(http, QueryId(http, "organization_id", out _))));

    public static long FlowOfNode(HttpContext http) => (long)http.Items[FlowIdKey]!;

    /// <summary>
    /// The permission check for endpoints whose target is named in the body (<c>bot_id</c>, <c>flow_id</c>,
    /// <c>organization_id</c>): a filter before the check hands the bound, already validated body to
    /// <paramref name="resolve"/>.
    /// </summary>
    public static RouteHandlerBuilder RequireOrganizationPermissionFromBody<T>(
        this RouteHandlerBuilder builder, string permission, Func<HttpContext, T, ValueTask<long?>> resolve)
        where T : class, IRequestBody
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (context.Arguments.OfType<Body<T>>().FirstOrDefault() is { Problem: null } body)
            {
                context.HttpContext.Items[BodyKey] = body.Value;
            }

            return await next(context);
        });
        return builder.RequireOrganizationPermission(permission, http =>
            http.Items[BodyKey] is T value ? resolve(http, value) : ValueTask.FromResult<long?>(null));
    }

    private static IClusterClient Cluster(HttpContext http) => http.RequestServices.GetRequiredService<IClusterClient>();
}
