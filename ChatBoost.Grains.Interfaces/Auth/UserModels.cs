namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>What the platform shows of a user. Never carries the password hash.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.UserView")]
public sealed record UserView(
    [property: Id(0)] long Id,
    [property: Id(1)] string Email,
    [property: Id(2)] string? FullName,
    [property: Id(3)] bool IsActive,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] long PersonalOrganizationId);

/// <summary>A registration, already validated, with the password hashed by the API.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.RegisterUserCommand")]
public sealed record RegisterUserCommand(
    [property: Id(0)] string Email,
    [property: Id(1)] string? FullName,
    [property: Id(2)] string PasswordHash);

[GenerateSerializer, Alias("chatboost.auth.RegistrationOutcome")]
public enum RegistrationOutcome
{
    Created,
    EmailTaken,
}

[GenerateSerializer, Immutable, Alias("chatboost.auth.RegistrationResult")]
public sealed record RegistrationResult(
    [property: Id(0)] RegistrationOutcome Outcome,
    [property: Id(1)] UserView? User);

/// <summary>What a login needs: internal to the cluster and the API, never serialized to a client.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.LoginRecord")]
public sealed record LoginRecord(
    [property: Id(0)] long UserId,
    [property: Id(1)] string PasswordHash,
    [property: Id(2)] bool IsActive);

[GenerateSerializer, Immutable, Alias("chatboost.auth.UserPage")]
public sealed record UserPage(
    [property: Id(0)] IReadOnlyList<UserView> Items,
    [property: Id(1)] long Total);
