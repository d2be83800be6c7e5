namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// Encrypts secrets (WhatsApp access tokens, app secrets, verify tokens) for storage at rest and decrypts
/// them for use inside the silo. Protected values are opaque strings safe to persist in grain state.
/// Implemented with ASP.NET Core Data Protection, its key ring persisted in PostgreSQL.
/// </summary>
public interface ISecretProtector
{
    string Protect(string plaintext);

    /// <summary>Throws <see cref="System.Security.Cryptography.CryptographicException"/> when the value was not produced by this key ring.</summary>
    string Unprotect(string protectedValue);
}
