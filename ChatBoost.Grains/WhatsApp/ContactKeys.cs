using System.Text.RegularExpressions;

namespace ChatBoost.Grains.WhatsApp;

/// <summary>
/// What identifies a WhatsApp user to a bot: their phone number's digits (Meta's <c>wa_id</c>), or, for a user whose number
/// Meta withholds (usernames, 2026), their business-scoped user id — two capital letters (the country), a period, an
/// optional <c>ENT.</c> (a parent id) and up to 128 letters and digits, e.g. <c>US.13491208655302741918</c>.
/// </summary>
public static partial class ContactKeys
{
    /// <summary>The longest key: a BSUID (2 + 1 + 4 + 128 characters).</summary>
    public const int MaxLength = 135;

    public static bool IsPhoneNumber(string? value) => value is { Length: >= 1 and <= 20 } && value.All(char.IsAsciiDigit);

    public static bool IsBusinessScopedUserId(string? value) => value is { Length: <= MaxLength } && Bsuid().IsMatch(value);

    [GeneratedRegex(@"\A[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Bsuid();
}
