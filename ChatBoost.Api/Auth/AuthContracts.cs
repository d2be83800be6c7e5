using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Api.Auth;

/// <summary>POST /auth/register.</summary>
public sealed class RegisterRequest : IRequestBody
{
    public string? Email { get; init; }

    public string? Password { get; init; }

    public string? FullName { get; init; }

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("email", Email) && !EmailAddress.IsValid(Email!.Trim()))
        {
            errors.Add("email", "Must be a valid e-mail address.");
        }

        PasswordPolicy.Validate("password", Password, errors);
        errors.MaxLength("full_name", FullName, 200);
        errors.NoControlCharacters("full_name", FullName);
    }
}

/// <summary>POST /auth/token as JSON (the OAuth2 password form is accepted too).</summary>
public sealed class TokenRequest : IRequestBody
{
    /// <summary>The account's e-mail address (OAuth2 calls it username).</summary>
    public string? Username { get; init; }

    /// <summary>Accepted as a synonym of username.</summary>
    public string? Email { get; init; }

    public string? Password { get; init; }

    public string? GrantType { get; init; }

    public string? Scope { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public string? Login => Username ?? Email;

    public void Validate(ValidationErrors errors)
    {
        errors.Required("username", Login);
        errors.MaxLength("username", Login, EmailAddress.MaxLength);
        errors.Required("password", Password);
        if (Password is { Length: > 1024 })
        {
            errors.Add("password", "Too long.");
        }

        if (GrantType is not (null or "password"))
        {
            errors.Add("grant_type", "Only the 'password' grant is supported.");
        }
    }
}

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record UserResponse(long Id, string Email, string? FullName, bool IsActive, bool EmailVerified, DateTimeOffset CreatedAt, long PersonalOrganizationId)
{
    public static UserResponse From(UserView user) =>
        new(user.Id, user.Email, user.FullName, user.IsActive, user.EmailVerified, user.CreatedAt, user.PersonalOrganizationId);
}

/// <summary>POST /auth/register's answer: the same for a new address and for one that has an account.</summary>
public sealed record RegistrationAcceptedResponse(string Email, string Message)
{
    public const string Text = "Check your mailbox: we sent a message to this address. Then sign in with POST /auth/token.";
}

/// <summary>POST /auth/verify-email.</summary>
public sealed class VerifyEmailRequest : IRequestBody
{
    public string? Token { get; init; }

    public void Validate(ValidationErrors errors)
    {
        errors.Required("token", Token);
        errors.MaxLength("token", Token, 100);
    }
}

public sealed record EmailVerifiedResponse(string Email, bool EmailVerified);
