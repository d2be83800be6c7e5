using System.Globalization;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace ChatBoost.Api.Http;

/// <summary>
/// A malformed id in a path (<c>/bots/abc</c>) is a 422 naming the parameter, like a malformed id in a query
/// (<see cref="QueryIdValidation"/>), not routing's 404. Routes keep their typed constraints (<c>{bot_id:long}</c>:
/// the OpenAPI document shows an int64 path parameter and the handler binds a <c>long</c>), so such a path matches no
/// endpoint at all. For a request that matched none, this table finds a route of the same method that the path
/// matches once the integer constraints are removed, and names its parameters whose values are not integers. A
/// well-formed id that names nothing (<c>/bots/0</c>, an unknown id) still matches its route and stays a 404 there.
/// Every module's routes are covered as they are mapped: nothing to register.
/// </summary>
public sealed class MalformedRouteIds
{
    private static readonly HashSet<string> IntegerConstraints = new(StringComparer.OrdinalIgnoreCase) { "long", "int" };

    private readonly List<Candidate> _candidates;

    public MalformedRouteIds(IEnumerable<RouteEndpoint> endpoints) =>
        _candidates = [.. endpoints.Select(Candidate.Of).OfType<Candidate>()];

    /// <summary>The integer route parameters whose values in <paramref name="path"/> are malformed, or empty.</summary>
    public IReadOnlyList<string> Find(string method, PathString path)
    {
        foreach (var candidate in _candidates)
        {
            if (candidate.Methods is { } methods && !methods.Contains(method))
            {
                continue;
            }

            var values = new RouteValueDictionary();
            if (!candidate.Matcher.TryMatch(path, values))
            {
                continue;
            }

            var malformed = candidate.IntegerParameters
                .Where(name => !long.TryParse(values[name] as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                .ToList();
            if (malformed.Count > 0)
            {
                return malformed;
            }
        }

        return [];
    }

    /// <summary>A route with integer parameters: its pattern without constraints, and those parameters' names.</summary>
    private sealed record Candidate(TemplateMatcher Matcher, IReadOnlyList<string> IntegerParameters, HashSet<string>? Methods)
    {
        public static Candidate? Of(RouteEndpoint endpoint)
        {
            var pattern = endpoint.RoutePattern;
            var integers = pattern.Parameters
                .Where(p => p.ParameterPolicies.Any(policy => policy.Content is { } c && IntegerConstraints.Contains(c)))
                .Select(p => p.Name)
                .ToList();
            if (integers.Count == 0)
            {
                return null;
            }

            var relaxed = RoutePatternFactory.Parse("/" + string.Join('/', pattern.PathSegments.Select(Unconstrained)));
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            return new Candidate(
                new TemplateMatcher(new RouteTemplate(relaxed), new RouteValueDictionary()),
                integers,
                methods is null ? null : new HashSet<string>(methods, StringComparer.OrdinalIgnoreCase));
        }

        private static string Unconstrained(RoutePatternPathSegment segment) => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter =>
                "{" + (parameter.IsCatchAll ? "*" : "") + parameter.Name + (parameter.IsOptional ? "?" : "") + "}",
            _ => throw new InvalidOperationException($"Unknown route pattern part {part.GetType().Name}."),
        }));
    }
}

public static class MalformedRouteIdsMiddleware
{
    /// <summary>Answers a request that matched no endpoint only because a path id is malformed with a 422 (see <see cref="MalformedRouteIds"/>).</summary>
    public static void UseMalformedRouteIds(this WebApplication app)
    {
        var table = new Lazy<MalformedRouteIds>(() =>
            new MalformedRouteIds(app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()));
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is null && table.Value.Find(context.Request.Method, context.Request.Path) is { Count: > 0 } names)
            {
                var errors = new ValidationErrors();
                foreach (var name in names)
                {
                    errors.Add(name, "Must be an integer.");
                }

                await Problems.Validation(errors).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}
