namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>What the platform shows of a user. Never carries the password hash.</summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.UserView")]
public sealed record UserView(
    [property: Id(0)] long Id,
    [property: Id(1)] string Email,
    [property: Id(2)] string? FullName,
    [property: Id(3)] bool IsActive,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] long PersonalOrganizationId,
    [property: Id(6)] bool EmailVerified = false);

/// <summary>
/// A registration, already validated, with the password hashed by the API and the SHA-256 (hex) of a fresh
/// e-mail verification token (the token itself goes only to the mailbox); without one, none is stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.RegisterUserCommand")]
public sealed record RegisterUserCommand(
    [property: Id(0)] string Email,
    [property: Id(1)] string? FullName,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] string? VerificationTokenSha256 = null,
    [property: Id(4)] DateTimeOffset VerificationExpiresAt = default);

[GenerateSerializer, Alias("chatboost.auth.RegistrationOutcome")]
public enum RegistrationOutcome
{
    Created,
    EmailTaken,
}

/// <summary>
/// What a registration did: the new user, or the existing one (for the API's mail only — never shown to the
/// caller, whose answer is the same either way). <c>VerificationIssued</c>: the token of the command was
/// stored for the user (a new user, or an existing one whose address is not verified yet).
/// </summary>
[GenerateSerializer, Immutable, Alias("chatboost.auth.RegistrationResult")]
public sealed record RegistrationResult(
    [property: Id(0)] RegistrationOutcome Outcome,
    [property: Id(1)] UserView? User,
    [property: Id(2)] bool VerificationIssued = false);

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
