using System.Security.Cryptography;
using System.Text;

namespace ChatBoost.Api.Auth;

/// <summary>E-mail verification tokens: 256 random bits, base64url; only their SHA-256 (hex) is stored.</summary>
public static class VerificationTokens
{
    public const int Length = 43;

    public static string New() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    public static bool LooksLikeToken(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
