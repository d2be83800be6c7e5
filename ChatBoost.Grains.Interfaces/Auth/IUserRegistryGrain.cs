namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>
/// The user registry: registration (e-mail unique, case-insensitive, enforced by a unique index so that
/// concurrent registrations on any silo yield exactly one winner), look-up by e-mail for login, and the
/// user lists. A stateless worker: every silo runs local copies; the table is the single source of truth.
/// </summary>
[Alias("chatboost.auth.IUserRegistryGrain")]
public interface IUserRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    Task<RegistrationResult> RegisterAsync(RegisterUserCommand command);

    /// <summary>
    /// Uses an e-mail verification token (by its SHA-256, hex): deletes it and marks its user's address
    /// verified. The user, or null for an unknown, used or expired token.
    /// </summary>
    [Alias("VerifyEmail")]
    Task<UserView?> VerifyEmailAsync(string tokenSha256);

    /// <summary>The login record of the user with this (normalized) e-mail, or null.</summary>
    [Alias("FindLogin")]
    Task<LoginRecord?> FindLoginAsync(string normalizedEmail);

    /// <summary>The id of the user with this (normalized) e-mail, or null.</summary>
    [Alias("FindId")]
    Task<long?> FindUserIdAsync(string normalizedEmail);

    /// <summary>Users who share at least one organization with <paramref name="userId"/>, by id.</summary>
    [Alias("ListVisible")]
    Task<UserPage> ListVisibleToAsync(long userId, int limit, int offset);

    /// <summary>All users, by id (platform administrators only; the API checks).</summary>
    [Alias("ListAll")]
    Task<UserPage> ListAllAsync(int limit, int offset);
}
