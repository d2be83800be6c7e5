using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ChatBoost.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChatBoost.Api.Auth;

/// <summary>
/// Issues and describes the validation of access tokens: HS256 signed with SECRET_KEY, with issuer, audience,
/// lifetime and a 30-second clock skew. Tokens carry the user id only, never roles: roles are checked live
/// on every request, so a change of role or a removal takes effect at once.
/// </summary>
public sealed class TokenService
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenService(AuthOptions options, TimeProvider time, ILogger<TokenService> logger)
    {
        _options = options;
        _time = time;
        if (string.IsNullOrEmpty(options.SecretKey))
        {
            // Only outside production (validation refuses it there): tokens die with this process.
            logger.LogWarning("SECRET_KEY is not set: using a random key for this process only; tokens will not survive a restart.");
            _key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64));
        }
        else
        {
            _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SecretKey));
        }
    }

    public TimeSpan Lifetime => TimeSpan.FromMinutes(_options.AccessTokenExpireMinutes);

    public string Issue(long userId)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = _options.Audience,
        IssuerSigningKey = _key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = ClockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}
