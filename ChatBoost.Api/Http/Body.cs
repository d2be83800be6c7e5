using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ChatBoost.Api.Http;

/// <summary>Marks a bound body that may carry a problem instead of a value; see <see cref="BodyProblemFilter"/>.</summary>
public interface IBoundBody
{
    IResult? Problem { get; }
}

/// <summary>
/// A strictly read JSON body as an endpoint parameter: <c>(Body&lt;RegisterRequest&gt; body) =&gt; …</c>.
/// Binding never throws for bad input; the problem travels to <see cref="BodyProblemFilter"/>, which answers
/// it before the handler runs. The OpenAPI document sees <typeparamref name="T"/> as the request body.
/// </summary>
public sealed class Body<T> : IBoundBody, IEndpointParameterMetadataProvider
    where T : class, IRequestBody
{
    private Body(T? value, IResult? problem)
    {
        ValueOrNull = value;
        Problem = problem;
    }

    public IResult? Problem { get; }

    private T? ValueOrNull { get; }

    /// <summary>The validated body. Only reachable in a handler, after the filter has answered any problem.</summary>
    public T Value => ValueOrNull ?? throw new InvalidOperationException("The body had a problem; BodyProblemFilter must run first.");

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (value, problem) = await JsonBodyReader.ReadAsync<T>(context);
        return new Body<T>(value, problem);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T)));
        builder.Metadata.Add(JsonBodyMetadata.Instance);
    }
}

/// <summary>Marks an endpoint that reads a strict JSON body (<see cref="Body{T}"/>): it can answer 400, 413, 415 and 422.</summary>
public sealed class JsonBodyMetadata
{
    public static readonly JsonBodyMetadata Instance = new();

    private JsonBodyMetadata()
    {
    }
}

/// <summary>Answers the problem of any bound body before the handler runs. Applied to every endpoint group.</summary>
public sealed class BodyProblemFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is IBoundBody { Problem: { } problem })
            {
                return ValueTask.FromResult<object?>(problem);
            }
        }

        return next(context);
    }
}
