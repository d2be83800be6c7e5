using ChatBoost.Api.Bots;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatBoost.Api.Hosting;

/// <summary>The OpenAPI document (/openapi/v1.json), Swagger UI at /docs and ReDoc at /redoc, as the seed promises.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    public static void AddChatBoostOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddNodeSchemaDocumentation();
            options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "ChatBoost API",
                Version = "v1",
                Description = "Build and run WhatsApp chatbots. Authenticate with POST /auth/token and send 'Authorization: Bearer <access_token>'. Errors are RFC 9457 problem details.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["OAuth2Password"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "Log in with your e-mail as username.",
                Flows = new OpenApiOAuthFlows
                {
                    Password = new OpenApiOAuthFlow { TokenUrl = new Uri("/auth/token", UriKind.Relative), Scopes = new Dictionary<string, string>() },
                },
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("OAuth2Password", document)] = [],
            });
            return Task.CompletedTask;
        });
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
}
