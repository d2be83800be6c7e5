using ChatBoost.Api.Auth;
using ChatBoost.Api.Bots;
using ChatBoost.Api.Http;
using ChatBoost.Api.Organizations;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Api.Contacts;

/// <summary>
/// How the flow engine's and contacts' endpoints find the organization the one permission check is made against: the
/// owner of the addressed contact or execution (found through the directory grains; null, so 404, when it does not
/// exist or the route id is malformed), of a bot named in the body, or the scope of a list.
/// </summary>
public static class ContactAccess
{
    private static readonly object ContactKey = new();
    private static readonly object ExecutionKey = new();
    private static readonly object ScopedKey = new();

    /// <summary>The organization of the contact <c>{contact_id}</c>; its address is remembered for the handler.</summary>
    public static async ValueTask<long?> OfRouteContact(HttpContext http)
    {
        if (OrganizationPermissionExtensions.RouteId(http, "contact_id") is not { } id
            || await Cluster(http).GetGrain<IContactQueryGrain>(0).FindAsync(id) is not { } address)
        {
            return null;
        }

        http.Items[ContactKey] = address;
        return address.OrganizationId;
    }

    /// <summary>The organization of the execution <c>{execution_id}</c>; its address is remembered for the handler.</summary>
    public static async ValueTask<long?> OfRouteExecution(HttpContext http)
    {
        if (OrganizationPermissionExtensions.RouteId(http, "execution_id") is not { } id
            || await Cluster(http).GetGrain<IExecutionQueryGrain>(0).FindAsync(id) is not { } address)
        {
            return null;
        }

        http.Items[ExecutionKey] = address;
        return address.OrganizationId;
    }

    public static ContactAddress Contact(HttpContext http) => (ContactAddress)http.Items[ContactKey]!;

    public static ExecutionAddress Execution(HttpContext http) => (ExecutionAddress)http.Items[ExecutionKey]!;

    /// <summary>The grain of the contact <c>{contact_id}</c> (after <see cref="OfRouteContact"/>).</summary>
    public static IContactGrain ContactGrain(HttpContext http, IClusterClient cluster)
    {
        var address = Contact(http);
        return cluster.GetGrain<IContactGrain>(address.BotId, address.Phone, null);
    }

    /// <summary>The grain of the contact that runs the execution <c>{execution_id}</c> (after <see cref="OfRouteExecution"/>).</summary>
    public static IContactGrain ExecutionContactGrain(HttpContext http, IClusterClient cluster)
    {
        var address = Execution(http);
        return cluster.GetGrain<IContactGrain>(address.BotId, address.ContactPhone, null);
    }

    /// <summary>
    /// The check for lists and statistics across organizations, narrowed by the optional query filters
    /// <c>organization_id</c>, <c>bot_id</c> and (with <paramref name="flowFilter"/>) <c>flow_id</c>: malformed ids are
    /// 422 first; the permission is checked in the organization the filters name (404 when a bot or flow is not
    /// visible, or the filters name different organizations), or else in the caller's personal organization, and
    /// <see cref="ScopeAsync"/> then spans every organization where the caller holds it.
    /// </summary>
    public static RouteHandlerBuilder RequireScopedPermission(this RouteHandlerBuilder builder, string permission, bool flowFilter = false) =>
        builder.ValidateQueryIds(flowFilter ? ["organization_id", "bot_id", "flow_id"] : ["organization_id", "bot_id"])
            .RequireOrganizationPermission(permission, http => ScopeOrganizationAsync(http, flowFilter));

    /// <summary>The organizations and filters a list reads, after <see cref="RequireScopedPermission"/>.</summary>
    public static async Task<ListScope> ScopeAsync(HttpContext http, string permission, bool flowFilter = false)
    {
        var botId = BotAccess.QueryId(http, "bot_id", out _);
        var flowId = flowFilter ? BotAccess.QueryId(http, "flow_id", out _) : null;
        if (http.Items[ScopedKey] is true)
        {
            return new ListScope([OrganizationAccess.Get(http).OrganizationId], botId, flowId);
        }

        var mine = await Cluster(http).GetGrain<IOrganizationRegistryGrain>(0).ListForUserAsync(CurrentUser.Get(http).Id);
        long[] organizations = [.. mine.Where(o => Permissions.Has(o.Role, permission)).Select(o => o.Id).Distinct()];
        return new ListScope(organizations, botId, flowId);
    }

    /// <summary>
    /// Runs <paramref name="validate"/> before anything added after it (in particular the permission check), so bad
    /// input is a 422 and not a 404.
    /// </summary>
    public static RouteHandlerBuilder ValidateFirst(this RouteHandlerBuilder builder, Action<HttpContext, ValidationErrors> validate) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var errors = new ValidationErrors();
            validate(context.HttpContext, errors);
            return errors.Any ? errors.ToResult() : await next(context);
        });

    /// <summary>Sets <c>X-Total-Count</c>, as the other paged lists do.</summary>
    public static void SetTotal(HttpContext http, long total) =>
        http.Response.Headers["X-Total-Count"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async ValueTask<long?> ScopeOrganizationAsync(HttpContext http, bool flowFilter)
    {
        var organizationId = BotAccess.QueryId(http, "organization_id", out var organizationGiven);
        var botId = BotAccess.QueryId(http, "bot_id", out var botGiven);
        var flowGiven = false;
        long? flowId = null;
        if (flowFilter)
        {
            flowId = BotAccess.QueryId(http, "flow_id", out flowGiven);
        }

        long? resolved = null;
        if (botGiven)
        {
            if (await BotAccess.OfBot(http, botId) is not { } ofBot)
            {
                return null;
            }

            resolved = ofBot;
        }

        if (flowGiven)
        {
            if (await BotAccess.OfFlow(http, flowId) is not { } ofFlow || (resolved is not null && resolved != ofFlow))
            {
                return null;
            }

            resolved = ofFlow;
        }

        if (organizationGiven)
        {
            if (resolved is not null && resolved != organizationId)
            {
                return null;
            }

            resolved = organizationId;
        }

        http.Items[ScopedKey] = resolved is not null;
        return resolved ?? CurrentUser.Get(http).PersonalOrganizationId;
    }

    private static IClusterClient Cluster(HttpContext http) => http.RequestServices.GetRequiredService<IClusterClient>();
}

/// <summary>What a list reads: these organizations, optionally one bot or flow.</summary>
public sealed record ListScope(IReadOnlyList<long> OrganizationIds, long? BotId, long? FlowId);
