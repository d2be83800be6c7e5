using System.Buffers;
using System.Security.Cryptography;
using System.Text;

// In ChatBoost.Common so that the API verifies webhooks with the same code as the fake Graph API (and the benchmarks)
// sign them, without either depending on the grains.
namespace ChatBoost.WhatsApp;

/// <summary>
/// The <c>X-Hub-Signature-256</c> header Meta puts on every webhook POST: <c>sha256=</c> followed by the
/// hex HMAC-SHA256 of the raw request body, keyed with the app secret. Check it before parsing the body.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";
    private const int HashBytes = 32;

    /// <summary>True only for a well-formed <c>sha256=&lt;64 hex chars&gt;</c> header that matches the body (constant-time compare).</summary>
    public static bool IsValid(ReadOnlySpan<byte> rawBody, string? headerValue, string appSecret)
    {
        Span<byte> claimed = stackalloc byte[HashBytes];
        if (string.IsNullOrEmpty(appSecret) || !TryParse(headerValue, claimed))
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), rawBody, actual);
        return CryptographicOperations.FixedTimeEquals(actual, claimed);
    }

    /// <summary>Whether the header has the shape <c>sha256=&lt;64 hex chars&gt;</c> (says nothing about the body).</summary>
    public static bool IsWellFormed(string? headerValue) => TryParse(headerValue, stackalloc byte[HashBytes]);

    private static bool TryParse(string? headerValue, Span<byte> hash)
    {
        if (headerValue is null || !headerValue.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = headerValue.AsSpan(Prefix.Length);
        return hex.Length == HashBytes * 2
            && Convert.FromHexString(hex, hash, out _, out var written) == OperationStatus.Done
            && written == HashBytes;
    }

    /// <summary>The header value Meta would send for this body: <c>sha256=&lt;lowercase hex&gt;</c>.</summary>
    public static string Compute(ReadOnlySpan<byte> body, string appSecret)
    {
        ArgumentException.ThrowIfNullOrEmpty(appSecret);
        Span<byte> hash = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, hash);
        return Prefix + Convert.ToHexStringLower(hash);
    }
}
