namespace ChatBoost.Grains.Interfaces;

/// <summary>How a command ended. The API maps each to its HTTP status (see the API's CommandResults).</summary>
[GenerateSerializer, Alias("chatboost.CommandStatus")]
public enum CommandStatus
{
    Ok = 0,
    NotFound = 1,
    Forbidden = 2,
    Conflict = 3,
    Invalid = 4,
    Gone = 5,
}

/// <summary>
/// The outcome of a grain command that can be refused by a business rule. Rules live in the grain that owns
/// the state, so they hold whichever API instance or silo the request came through.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.CommandResult`1")]
public sealed record CommandResult<T>(
    [property: Id(0)] CommandStatus Status,
    [property: Id(1)] T? Value,
    [property: Id(2)] string? Detail,
    [property: Id(3)] string? Field = null)
{
    public bool IsOk => Status == CommandStatus.Ok;
}

/// <summary>Factories for <see cref="CommandResult{T}"/>.</summary>
public static class CommandResult
{
    public static CommandResult<T> Ok<T>(T value) => new(CommandStatus.Ok, value, null);

    public static CommandResult<T> Fail<T>(CommandStatus status, string detail, string? field = null) => new(status, default, detail, field);
}
