using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace ChatBoost.Testing;

/// <summary>
/// The rules the served OpenAPI document must meet so that generated clients and Swagger UI's "Try it out" can use
/// every operation, checked over every operation the document has (so a module added later meets them on arrival):
/// each path parameter declared (in: path, required, with a schema) and none undeclared; a unique operationId of the
/// form <c>Module_Verb</c>; a summary; exactly one tag, described; at least one 4xx response; every response with
/// content has a schema, except 204/304; every 4xx/5xx is <c>application/problem+json</c> with a problem schema, and a
/// 422 names the fields (<c>errors</c>, or a flow's <c>problems</c>); request bodies have schemas; the bearer scheme is
/// declared and required by every operation except the anonymous ones, which say so with <c>security: []</c>; servers
/// have no trailing slash. <see cref="Check"/> lists every violation, one line each.
/// </summary>
public static partial class OpenApiContract
{
    public const string ProblemContentType = "application/problem+json";

    /// <summary>Reads a JSON document with Microsoft.OpenApi; parse errors are violations too.</summary>
    public static (OpenApiDocument? Document, List<string> Errors) Parse(string json)
    {
        var result = OpenApiDocument.Parse(json, OpenApiConstants.Json, new OpenApiReaderSettings());
        return (result.Document, [.. (result.Diagnostic?.Errors ?? []).Select(e => $"parse: {e.Pointer} {e.Message}")]);
    }

    public static List<string> Check(OpenApiDocument document, string bearerScheme, IReadOnlySet<string> anonymousOperationIds)
    {
        ArgumentNullException.ThrowIfNull(document);
        var violations = new List<string>();
        CheckDocument(document, bearerScheme, violations);

        var operationIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, item) in document.Paths ?? [])
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var where = $"{method.Method.ToUpperInvariant()} {path}";
                CheckIdentity(where, operation, document, operationIds, violations);
                CheckPathParameters(where, path, item, operation, violations);
                CheckResponses(where, operation, violations);
                CheckRequestBody(where, operation, violations);
                CheckSecurity(where, operation, bearerScheme, anonymousOperationIds, violations);
            }
        }

        return violations;
    }

    private static void CheckDocument(OpenApiDocument document, string bearerScheme, List<string> violations)
    {
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { } url && url.EndsWith('/'))
            {
                violations.Add($"server {url}: ends with '/' (clients would build '//' URLs)");
            }
        }

        if (document.Components?.SecuritySchemes?.TryGetValue(bearerScheme, out var scheme) != true
            || scheme is not { Type: SecuritySchemeType.Http } || !string.Equals(scheme.Scheme, "bearer", StringComparison.OrdinalIgnoreCase))
        {
            violations.Add($"security scheme {bearerScheme}: not declared as an http bearer scheme");
        }
    }

    private static void CheckIdentity(
        string where, OpenApiOperation operation, OpenApiDocument document, Dictionary<string, string> operationIds, List<string> violations)
    {
        if (string.IsNullOrWhiteSpace(operation.OperationId))
        {
            violations.Add($"{where}: no operationId");
        }
        else if (!OperationIdShape().IsMatch(operation.OperationId))
        {
            violations.Add($"{where}: operationId '{operation.OperationId}' is not Module_Verb");
        }
        else if (!operationIds.TryAdd(operation.OperationId, where))
        {
            violations.Add($"{where}: operationId '{operation.OperationId}' is also used by {operationIds[operation.OperationId]}");
        }

        if (string.IsNullOrWhiteSpace(operation.Summary))
        {
            violations.Add($"{where}: no summary");
        }

        var tags = operation.Tags?.Select(t => t.Name).ToList() ?? [];
        if (tags.Count != 1)
        {
            violations.Add($"{where}: {tags.Count} tags, not one");
        }

        foreach (var tag in tags)
        {
            if (document.Tags?.FirstOrDefault(t => t.Name == tag) is not { Description: { Length: > 0 } })
            {
                violations.Add($"{where}: tag '{tag}' has no description in the document's tags");
            }
        }
    }

    private static void CheckPathParameters(string where, string path, IOpenApiPathItem item, OpenApiOperation operation, List<string> violations)
    {
        var declared = (operation.Parameters ?? []).Concat(item.Parameters ?? [])
            .Where(p => p.In == ParameterLocation.Path)
            .ToList();
        var inTemplate = TemplateParameter().Matches(path).Select(m => m.Groups[1].Value).ToList();
        foreach (var name in inTemplate)
        {
            var parameter = declared.FirstOrDefault(p => p.Name == name);
            if (parameter is null)
            {
                violations.Add($"{where}: path parameter {{{name}}} is not declared");
            }
            else if (!parameter.Required || parameter.Schema is null)
            {
                violations.Add($"{where}: path parameter {{{name}}} must be required and have a schema");
            }
        }

        foreach (var extra in declared.Where(p => p.Name is { } n && !inTemplate.Contains(n)))
        {
            violations.Add($"{where}: declares path parameter '{extra.Name}' that the path does not have");
        }
    }

    private static void CheckResponses(string where, OpenApiOperation operation, List<string> violations)
    {
        var responses = operation.Responses ?? [];
        if (!responses.Keys.Any(k => k.StartsWith('4')))
        {
            violations.Add($"{where}: no 4xx response");
        }

        foreach (var (status, response) in responses)
        {
            var content = response.Content ?? new Dictionary<string, OpenApiMediaType>();
            if (content.Count == 0)
            {
                if (status is not ("204" or "304"))
                {
                    violations.Add($"{where} {status}: no content and no schema");
                }

                continue;
            }

            foreach (var (mediaType, media) in content.Where(c => c.Value.Schema is null))
            {
                violations.Add($"{where} {status} {mediaType}: no schema");
            }

            if (status[0] is '4' or '5')
            {
                CheckProblem(where, status, content, violations);
            }
        }
    }

    private static void CheckProblem(string where, string status, IDictionary<string, OpenApiMediaType> content, List<string> violations)
    {
        if (!content.TryGetValue(ProblemContentType, out var problem) || content.Count != 1)
        {
            violations.Add($"{where} {status}: not (only) {ProblemContentType}");
            return;
        }

        var properties = problem.Schema?.Properties ?? new Dictionary<string, IOpenApiSchema>();
        if (!properties.ContainsKey("title") || !properties.ContainsKey("status"))
        {
            violations.Add($"{where} {status}: the schema is not a problem (title, status)");
        }

        if (status == "422" && !properties.ContainsKey("errors") && !properties.ContainsKey("problems"))
        {
            violations.Add($"{where} 422: the schema does not name the fields (errors)");
        }
    }

    private static void CheckRequestBody(string where, OpenApiOperation operation, List<string> violations)
    {
        if (operation.RequestBody is not { } body)
        {
            return;
        }

        if (body.Content is not { Count: > 0 } content)
        {
            violations.Add($"{where}: request body without content");
            return;
        }

        foreach (var (mediaType, _) in content.Where(c => c.Value.Schema is null))
        {
            violations.Add($"{where}: request body {mediaType} has no schema");
        }
    }

    private static void CheckSecurity(
        string where, OpenApiOperation operation, string bearerScheme, IReadOnlySet<string> anonymousOperationIds, List<string> violations)
    {
        var schemes = (operation.Security ?? []).SelectMany(r => r.Keys).Select(k => k.Reference.Id).ToList();
        if (operation.OperationId is { } id && anonymousOperationIds.Contains(id))
        {
            if (operation.Security is null || schemes.Count > 0)
            {
                violations.Add($"{where}: anonymous, but does not say so with security: []");
            }
        }
        else if (!schemes.Contains(bearerScheme))
        {
            violations.Add($"{where}: does not require the {bearerScheme} scheme");
        }
    }

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*$")]
    private static partial Regex OperationIdShape();

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex TemplateParameter();
}
