using System.Text;
using ChatBoost.Api.Http;

namespace ChatBoost.Api.Auth;

/// <summary>
/// Password rules. BCrypt only reads the first 72 bytes of a password; anything longer would be silently
/// truncated, so it is refused instead.
/// </summary>
public static class PasswordPolicy
{
    public const int MinCharacters = 8;
    public const int MaxUtf8Bytes = 72;

    public static void Validate(string field, string? password, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, "This field is required.");
            return;
        }

        if (password.EnumerateRunes().Count() < MinCharacters)
        {
            errors.Add(field, $"Must be at least {MinCharacters} characters.");
        }

        if (Encoding.UTF8.GetByteCount(password) > MaxUtf8Bytes)
        {
            errors.Add(field, $"Must be at most {MaxUtf8Bytes} bytes in UTF-8 (bcrypt ignores anything longer, so longer passwords are refused rather than truncated).");
        }

        if (password.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(field, "Must not contain the NUL character.");
        }
    }
}
