using System.Globalization;

namespace ChatBoost.Api.Http;

/// <summary>
/// Refuses malformed id query parameters (<c>?bot_id=abc</c>) with a 422 before anything else runs — in
/// particular before the permission check, which would otherwise answer a bad id with 404.
/// </summary>
public static class QueryIdValidation
{
    /// <summary>The check, and the ids declared as optional integer query parameters with their 422.</summary>
    public static RouteHandlerBuilder ValidateQueryIds(this RouteHandlerBuilder builder, params string[] names)
    {
        foreach (var name in names)
        {
            builder.WithQueryId(name, $"Only this {(name.EndsWith("_id", StringComparison.Ordinal) ? name[..^3] : name).Replace('_', ' ')} (an id).");
        }

        return builder.ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).AddEndpointFilter(async (context, next) =>
        {
            var errors = new ValidationErrors();
            foreach (var name in names)
            {
                var raw = context.HttpContext.Request.Query[name].ToString();
                if (raw.Length > 0 && !(long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0))
                {
                    errors.Add(name, "Must be a positive integer id.");
                }
            }

            return errors.Any ? errors.ToResult() : await next(context);
        });
    }
}
