using ChatBoost.Api.Flows;
using ChatBoost.Api.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatBoost.Api.Hosting;

/// <summary>
/// The OpenAPI document (/openapi/v1.json), Swagger UI at /docs and ReDoc at /redoc, as the seed promises. The document
/// is the contract generated clients are built from: the endpoints' own metadata (typed route parameters, names,
/// summaries, <c>Produces…</c>, the implied problems of <see cref="ProblemResponses"/>) plus what is added here — one
/// bearer security scheme required by every operation that is not anonymous, the query parameters and headers that
/// endpoints validate themselves (<see cref="DocumentedParameterMetadata"/>), the modules' tag descriptions
/// (<see cref="TagDescriptionMetadata"/>) and server URLs without a trailing slash.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    public const string BearerScheme = "Bearer";

    public static void AddChatBoostOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddNodeSchemaDocumentation();
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer(DescribeOperation);
        });

    public static void MapChatBoostOpenApi(this WebApplication app) => app.MapOpenApi(DocumentPath).AllowAnonymous();

    /// <summary>Swagger UI and ReDoc: middleware, not endpoints, so they go before authorization (public pages).</summary>
    public static void UseChatBoostDocs(this WebApplication app)
    {
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint(DocumentPath, "ChatBoost API v1");
            o.RoutePrefix = "docs";
            o.DocumentTitle = "ChatBoost API";
        });
        app.UseReDoc(o =>
        {
            o.SpecUrl = DocumentPath;
            o.RoutePrefix = "redoc";
            o.DocumentTitle = "ChatBoost API";
        });
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "ChatBoost API",
            Version = "v1",
            Description = "Build and run WhatsApp chatbots. Get an access token with POST /auth/token and send it as " +
                "'Authorization: Bearer <access_token>'. Errors are RFC 9457 problem details (application/problem+json); " +
                "validation problems (422) name each field in 'errors'.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access_token of POST /auth/token (log in with your e-mail address as username).",
        };

        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        var descriptions = context.DescriptionGroups
            .SelectMany(g => g.Items)
            .SelectMany(d => d.ActionDescriptor.EndpointMetadata.OfType<TagDescriptionMetadata>())
            .GroupBy(t => t.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Description, StringComparer.Ordinal);
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && descriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }

        return Task.CompletedTask;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        // An anonymous operation says so with an empty list (no scheme applies), so no operation leaves security undefined.
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Security = metadata.OfType<IAllowAnonymous>().Any()
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];

        foreach (var parameter in metadata.OfType<DocumentedParameterMetadata>())
        {
            operation.Parameters ??= [];
            if (operation.Parameters.Any(p => p.Name == parameter.Name && p.In == parameter.In))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = parameter.In,
                Required = parameter.Required,
                Description = parameter.Description,
                Schema = new OpenApiSchema { Type = parameter.Type, Format = parameter.Format, Pattern = parameter.Pattern },
            });
        }

        return Task.CompletedTask;
    }
}
