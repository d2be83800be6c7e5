using System.Globalization;
using ChatBoost.Api.Auth;
using ChatBoost.Grains.Interfaces.Organizations;

namespace ChatBoost.Api.Organizations;

/// <summary>The caller's verified access to one organization, set by <see cref="OrganizationPermissionFilter"/>.</summary>
public sealed record OrganizationAccess(long OrganizationId, OrganizationRole Role)
{
    private static readonly object Key = new();

    public static OrganizationAccess Get(HttpContext context) =>
        context.Items[Key] as OrganizationAccess ?? throw new InvalidOperationException("The endpoint must use RequireOrganizationPermission.");

    internal void Store(HttpContext context) => context.Items[Key] = this;
}

/// <summary>OpenAPI and documentation metadata: the permission an endpoint requires.</summary>
public sealed record RequiredPermissionMetadata(string Permission);

/// <summary>
/// The one permission check every organization-scoped endpoint uses. It finds the organization the request
/// is about (a route value, or the owner of the addressed resource), asks that organization's grain for the
/// caller's role — live, so a role change or removal applies to the very next request — and answers
/// 404 when the caller is not a member (never revealing that the organization or resource exists),
/// 403 when the role lacks the permission.
/// </summary>
public sealed class OrganizationPermissionFilter(string permission, Func<HttpContext, ValueTask<long?>> resolveOrganizationId) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var organizationId = await resolveOrganizationId(http);
        var role = organizationId is { } id
            ? await http.RequestServices.GetRequiredService<IClusterClient>().GetGrain<IOrganizationGrain>(id).GetRoleAsync(CurrentUser.Get(http).Id)
            : null;
        if (role is not { } granted)
        {
            return TypedResults.Problem("Not found, or you are not a member of its organization.", statusCode: StatusCodes.Status404NotFound, title: "Not found.");
        }

        if (!Permissions.Has(granted, permission))
        {
            return TypedResults.Problem(
                $"Your role ({RoleNames.ToName(granted)}) does not have the '{permission}' permission.",
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden.");
        }

        new OrganizationAccess(organizationId!.Value, granted).Store(http);
        return await next(context);
    }
}

public static class OrganizationPermissionExtensions
{
    /// <summary>Requires a signed-in caller holding <paramref name="permission"/> in the organization named by the route value.</summary>
    public static TBuilder RequireOrganizationPermission<TBuilder>(this TBuilder builder, string permission, string routeValue = "org_id")
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireOrganizationPermission(permission, http => ValueTask.FromResult(RouteId(http, routeValue)));

    /// <summary>Requires <paramref name="permission"/> in the organization that <paramref name="resolveOrganizationId"/>
    /// finds for the request (e.g. the owner of the addressed bot); null means "no such resource" (404).</summary>
    public static TBuilder RequireOrganizationPermission<TBuilder>(this TBuilder builder, string permission, Func<HttpContext, ValueTask<long?>> resolveOrganizationId)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.WithMetadata(new RequiredPermissionMetadata(permission));
        builder.AddEndpointFilter(new OrganizationPermissionFilter(permission, resolveOrganizationId));
        return builder;
    }

    /// <summary>A positive integer route value, or null (which the filter answers with 404).</summary>
    public static long? RouteId(HttpContext http, string routeValue) =>
        long.TryParse(http.Request.RouteValues[routeValue] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}
