using Microsoft.OpenApi;

namespace ChatBoost.Api.Http;

/// <summary>A module's OpenAPI tag and its description (the document lists every tag an endpoint carries, described).</summary>
public sealed record TagDescriptionMetadata(string Name, string Description);

/// <summary>
/// A query parameter or request header an endpoint reads itself (validated by its own code, so that a bad value is a
/// 422 naming it rather than a binding failure), declared for the OpenAPI document.
/// </summary>
public sealed record DocumentedParameterMetadata(
    string Name, ParameterLocation In, JsonSchemaType Type, string Description, bool Required = false, string? Format = null, string? Pattern = null);

public static class OpenApiMetadataExtensions
{
    /// <summary>The module's tag on every endpoint of the group, with the description the document shows for it.</summary>
    public static RouteGroupBuilder WithModuleTag(this RouteGroupBuilder group, string name, string description) =>
        group.WithTags(name).WithMetadata(new TagDescriptionMetadata(name, description));

    public static TBuilder WithQueryParameter<TBuilder>(
        this TBuilder builder, string name, JsonSchemaType type, string description, bool required = false, string? format = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DocumentedParameterMetadata(name, ParameterLocation.Query, type, description, required, format));

    /// <summary>An optional integer id in the query (validated with <see cref="QueryIdValidation.ValidateQueryIds"/>).</summary>
    public static TBuilder WithQueryId<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithQueryParameter(name, JsonSchemaType.Integer, description, format: "int64");

    public static TBuilder WithRequestHeader<TBuilder>(
        this TBuilder builder, string name, string description, bool required = false, string? pattern = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DocumentedParameterMetadata(name, ParameterLocation.Header, JsonSchemaType.String, description, required, Pattern: pattern));

    /// <summary>The <c>limit</c>/<c>offset</c> query parameters of <see cref="Paging"/>, and its 422.</summary>
    public static RouteHandlerBuilder WithPaging(this RouteHandlerBuilder builder) =>
        builder
            .WithQueryParameter("limit", JsonSchemaType.Integer, $"Page size, 1 to {Paging.MaxLimit} (default {Paging.DefaultLimit}).", format: "int32")
            .WithQueryParameter("offset", JsonSchemaType.Integer, "Items to skip, 0 to 1000000 (default 0).", format: "int32")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
}
