using ChatBoost.Api.Organizations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ChatBoost.Api.Http;

/// <summary>
/// The problem responses every endpoint can give because of how it is built, declared in its metadata (and so in the
/// OpenAPI document) once for all endpoints instead of by hand on each: 401 for a route that is not anonymous; 403 and
/// 404 for one behind the organization permission check; 400, 413, 415 and 422 (with <c>errors</c>) for one that reads a
/// strict JSON body (<see cref="JsonBodyMetadata"/>); 422 for a path with integer ids (<see cref="MalformedRouteIds"/>); 503 for all (the cluster or the database
/// cannot answer, <see cref="ProblemExceptionHandler"/>). What an endpoint declares itself (a 409, its own 422) stays
/// as declared. Applied to the root group, so every module's endpoints get it as they are mapped.
/// </summary>
public static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    public static TBuilder WithImpliedProblemResponses<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(Declare);
        return builder;
    }

    internal static void Declare(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();

        void Add(int status, Type type)
        {
            if (declared.Add(status))
            {
                metadata.Add(new ProducesResponseTypeMetadata(status, type, [ContentType]));
            }
        }

        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails));
        }

        if (metadata.OfType<RequiredPermissionMetadata>().Any())
        {
            Add(StatusCodes.Status403Forbidden, typeof(ProblemDetails));
            Add(StatusCodes.Status404NotFound, typeof(ProblemDetails));
        }

        if (metadata.OfType<JsonBodyMetadata>().Any())
        {
            Add(StatusCodes.Status400BadRequest, typeof(ProblemDetails));
            Add(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails));
            Add(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails));
            Add(StatusCodes.Status422UnprocessableEntity, typeof(HttpValidationProblemDetails));
        }

        if (endpoint is RouteEndpointBuilder route && route.RoutePattern.Parameters.Any(p => p.ParameterPolicies.Any(c => c.Content is "long" or "int")))
        {
            Add(StatusCodes.Status422UnprocessableEntity, typeof(HttpValidationProblemDetails));
        }

        Add(StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails));
    }
}
