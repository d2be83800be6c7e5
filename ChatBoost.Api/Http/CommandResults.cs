using ChatBoost.Grains.Interfaces;

namespace ChatBoost.Api.Http;

/// <summary>Maps a grain's <see cref="CommandResult{T}"/> to HTTP: one table for every module.</summary>
public static class CommandResults
{
    public static IResult ToHttp<T>(this CommandResult<T> result, Func<T, IResult> onOk)
    {
        if (result.IsOk)
        {
            return onOk(result.Value!);
        }

        if (result.Status == CommandStatus.Invalid)
        {
            return Problems.Validation(result.Field ?? "$", result.Detail ?? "Invalid.");
        }

        var (status, title) = StatusOf(result.Status);
        return TypedResults.Problem(result.Detail, statusCode: status, title: title);
    }

    /// <summary>The HTTP status and title of a refused command.</summary>
    public static (int Status, string Title) StatusOf(CommandStatus status) => status switch
    {
        CommandStatus.NotFound => (StatusCodes.Status404NotFound, "Not found."),
        CommandStatus.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden."),
        CommandStatus.Conflict => (StatusCodes.Status409Conflict, "Conflict."),
        CommandStatus.Gone => (StatusCodes.Status410Gone, "Gone."),
        CommandStatus.Invalid => (StatusCodes.Status422UnprocessableEntity, "The request is not valid."),
        _ => (StatusCodes.Status500InternalServerError, "Internal server error."),
    };
}
