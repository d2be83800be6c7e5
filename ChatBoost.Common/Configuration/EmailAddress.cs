using System.Net.Mail;

namespace ChatBoost.Configuration;

/// <summary>E-mail addresses: one normal form for uniqueness and look-up, and a syntax check.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>Case-insensitive identity: trimmed, lower-cased (invariant).</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static bool IsValid(string email)
    {
        if (email.Length is 0 or > MaxLength || email.Any(char.IsWhiteSpace) || email.Any(char.IsControl))
        {
            return false;
        }

        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            return false;
        }

        var at = email.LastIndexOf('@');
        var domain = email[(at + 1)..];
        return at > 0 && domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }
}
