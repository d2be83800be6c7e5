using Microsoft.AspNetCore.Diagnostics;

namespace ChatBoost.Api.Http;

/// <summary>
/// Turns exceptions into problem details: Kestrel's bad-request errors (413 for an oversized body, 400 for
/// malformed requests) keep their status; an unreachable or slow cluster is a 503 with Retry-After, so a
/// client (and Meta's webhook delivery) retries; anything else is a logged 500 that reveals nothing.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status >= 500)
        {
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                ClusterFailures.SetRetryAfter(context);
                logger.LogWarning("Cluster unavailable for {Endpoint}: {Error}", EndpointName(context), exception.GetType().Name);
            }
            else
            {
                logger.LogError(exception, "Unhandled error for {Endpoint}", EndpointName(context));
            }
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>The route pattern, not the path: paths can carry secrets (invitation tokens).</summary>
    private static string EndpointName(HttpContext context) =>
        context.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.DisplayName ?? context.Request.Method + " (no endpoint)";

    private static (int Status, string Title, string Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Payload too large.", "The request body is larger than this endpoint accepts."),
        InvalidDataException =>
            (400, "Bad request.", "The request body could not be read as a form."),
        BadHttpRequestException bad =>
            (bad.StatusCode, "Bad request.", "The request could not be read."),
        _ when ClusterFailures.IsUnavailable(exception) =>
            (503, "Service unavailable.", "The service is temporarily unavailable. Retry shortly."),
        _ => (500, "Internal server error.", "An unexpected error occurred. It has been logged."),
    };
}
