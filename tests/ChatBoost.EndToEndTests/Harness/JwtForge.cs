using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>Builds JWTs by hand — valid, expired, foreign-signed, alg:none — to attack the API's validation.</summary>
public static class JwtForge
{
    public const string Issuer = "chatboost";
    public const string Audience = "chatboost-api";

    public static string Create(long userId, string key = ChatBoostSystem.SecretKey, string alg = "HS256",
        DateTimeOffset? expires = null, string issuer = Issuer, string audience = Audience)
    {
        var now = DateTimeOffset.UtcNow;
        var header = JsonSerializer.Serialize(new { alg, typ = "JWT" });
        var payload = JsonSerializer.Serialize(new
        {
            sub = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            iss = issuer,
            aud = audience,
            iat = now.AddMinutes(-1).ToUnixTimeSeconds(),
            nbf = now.AddMinutes(-1).ToUnixTimeSeconds(),
            exp = (expires ?? now.AddMinutes(10)).ToUnixTimeSeconds(),
        });
        var unsigned = B64(Encoding.UTF8.GetBytes(header)) + "." + B64(Encoding.UTF8.GetBytes(payload));
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var signature = alg switch
        {
            "none" => [],
            "HS512" => HMACSHA512.HashData(keyBytes, Encoding.ASCII.GetBytes(unsigned)),
            _ => HMACSHA256.HashData(keyBytes, Encoding.ASCII.GetBytes(unsigned)),
        };
        return unsigned + "." + B64(signature);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
