using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Http;

/// <summary>
/// Reads a JSON body strictly: 415 unless JSON, 400 for malformed JSON or an empty body, 422 for a body that
/// is not an object, has fields the endpoint does not accept (so nobody can set <c>id</c> or <c>role</c>
/// by adding a field), has a value of the wrong type, or fails the body's own validation. An oversized body
/// surfaces as Kestrel's 413 through the exception handler.
/// </summary>
public static class JsonBodyReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context)
        where T : class, IRequestBody
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'."));
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, DocumentOptions, context.RequestAborted);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, Problems.BadRequest(IsEmpty(e) ? "A JSON body is required." : $"The body is not valid JSON{where}."));
        }

        using (document)
        {
            return Bind<T>(document.RootElement, context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        }
    }

    /// <summary>Binds and validates an already parsed JSON value.</summary>
    public static (T? Value, IResult? Problem) Bind<T>(JsonElement root, JsonSerializerOptions options)
        where T : class, IRequestBody
    {
        var errors = new ValidationErrors();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "The body must be a JSON object.");
            return (null, errors.ToResult());
        }

        var known = options.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                errors.Add(property.Name, "This field is not accepted here.");
            }
        }

        if (errors.Any)
        {
            return (null, errors.ToResult());
        }

        T? value;
        try
        {
            value = root.Deserialize<T>(options);
        }
        catch (JsonException e)
        {
            errors.Add(FieldOf(e.Path), "The value has the wrong type.");
            return (null, errors.ToResult());
        }

        if (value is null)
        {
            errors.Add("$", "The body must be a JSON object.");
            return (null, errors.ToResult());
        }

        value.Validate(errors);
        return errors.Any ? (null, errors.ToResult()) : (value, null);
    }

    private static bool IsEmpty(JsonException e) => e.BytePositionInLine == 0 && e.LineNumber == 0;

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
