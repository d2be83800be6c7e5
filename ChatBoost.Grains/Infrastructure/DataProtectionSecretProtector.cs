using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// <see cref="ISecretProtector"/> over ASP.NET Core Data Protection with the fixed purpose
/// <see cref="Purpose"/>; the key ring lives in PostgreSQL (<see cref="PostgresXmlRepository"/>).
/// </summary>
/// <remarks>
/// <para>
/// Protected values are base64url strings carrying the id of the key that protected them, so values
/// protected under older keys keep decrypting after key rotation (keys are never deleted from the ring).
/// </para>
/// <para>
/// First use of the key ring is serialized across silos (<see cref="EnsureKeyRing"/>): on an empty key table,
/// silos starting together would otherwise each generate and immediately activate a key of their own and cache
/// a ring holding only that key, so a value protected on one silo could fail to decrypt on another until the
/// rings refresh (up to a day later). Later rotations need no lock: Data Protection creates successor keys
/// days before they activate, so every silo has read them by then.
/// </para>
/// <para>
/// Security: the key ring is encrypted at rest with the certificate of <c>DATA_PROTECTION_CERTIFICATE_PATH</c> when one is
/// configured (required in production), in the clear otherwise (see <see cref="SecretProtectionServices"/>).
/// </para>
/// </remarks>
public sealed class DataProtectionSecretProtector : ISecretProtector
{
    /// <summary>The Data Protection purpose; changing it makes every stored secret unreadable.</summary>
    public const string Purpose = "ChatBoost.Secrets.v1";

    /// <summary>Transaction-level advisory lock key ("CBDPKeys" in ASCII); distinct from the migration lock.</summary>
    private const long KeyRingLockKey = 0x4342_4450_4B65_7973;

    private readonly IDataProtector _protector;
    private readonly Database _database;
    private readonly Lock _ensureLock = new();
    private volatile bool _keyRingReady;

    public DataProtectionSecretProtector(IDataProtectionProvider provider, Database database)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _protector = provider.CreateProtector(Purpose);
        _database = database;
    }

    public string Protect(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        EnsureKeyRing();
        return _protector.Protect(plaintext);
    }

    public string Unprotect(string protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        EnsureKeyRing();
        try
        {
            return _protector.Unprotect(protectedValue);
        }
        catch (FormatException ex)
        {
            // Keep the contract: anything that is not a value of this key ring is a CryptographicException.
            throw new CryptographicException("The protected value is malformed.", ex);
        }
    }

    /// <summary>
    /// Loads (and, on an empty key table, creates) the key ring while holding a PostgreSQL advisory lock, so
    /// that exactly one silo creates the first key and the others read it. Runs once per process; a failure
    /// (database down) is thrown and retried on the next call. Synchronous like the key ring itself
    /// (see <see cref="PostgresXmlRepository"/>); called at silo start by the hosted warm-up and lazily here.
    /// </summary>
    public void EnsureKeyRing()
    {
        if (_keyRingReady)
        {
            return;
        }

        lock (_ensureLock)
        {
            if (_keyRingReady)
            {
                return;
            }

            using (var connection = _database.DataSource.OpenConnection())
            using (var transaction = connection.BeginTransaction())
            {
                connection.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = KeyRingLockKey }, transaction);

                // Any protect operation loads the current key ring, generating the first key if there is none;
                // the repository writes it on its own connection, committed before this lock is released.
                _ = _protector.Protect([]);
                transaction.Commit();
            }

            _keyRingReady = true;
        }
    }
}
