using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// How the silos' Data Protection key ring (the master keys that encrypt bot secrets, in PostgreSQL) is encrypted at
/// rest: with the RSA certificate of <c>DATA_PROTECTION_CERTIFICATE_PATH</c> (.pfx, password in
/// <c>DATA_PROTECTION_CERTIFICATE_PASSWORD</c>), so a copy of the database alone decrypts nothing. Production
/// refuses to start without it unless <c>DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true</c> says, on purpose, that
/// the keys may be stored in the clear; elsewhere the keys are in the clear when no certificate is set.
/// </summary>
public sealed record KeyRingProtectionSettings(X509Certificate2? Certificate)
{
    public const string PathKey = "DataProtection:CertificatePath";
    public const string PasswordKey = "DataProtection:CertificatePassword";
    public const string AllowUnencryptedKey = "DataProtection:AllowUnencryptedKeys";

    /// <summary>No certificate: the key ring is stored unencrypted (development, tests).</summary>
    public static KeyRingProtectionSettings Unencrypted { get; } = new((X509Certificate2?)null);

    public static KeyRingProtectionSettings Load(IConfiguration configuration, bool isProduction)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration[PathKey];
        if (!string.IsNullOrWhiteSpace(path))
        {
            var certificate = CertificateFile.LoadWithPrivateKey(path.Trim(), configuration[PasswordKey], "DATA_PROTECTION_CERTIFICATE_PATH");
            if (certificate.GetRSAPublicKey() is null)
            {
                certificate.Dispose();
                throw new ConfigurationException("ChatBoost cannot start:" + Environment.NewLine
                    + "- DATA_PROTECTION_CERTIFICATE_PATH must hold an RSA certificate (XML encryption of the key ring wraps keys with RSA).");
            }

            return new KeyRingProtectionSettings(certificate);
        }

        bool allowUnencrypted;
        try
        {
            allowUnencrypted = configuration.GetValue(AllowUnencryptedKey, false);
        }
        catch (InvalidOperationException)
        {
            throw new ConfigurationException("ChatBoost cannot start:" + Environment.NewLine
                + "- DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS must be true or false.");
        }

        if (isProduction && !allowUnencrypted)
        {
            throw new ConfigurationException("ChatBoost cannot start:" + Environment.NewLine
                + "- DATA_PROTECTION_CERTIFICATE_PATH is not set: in production the Data Protection key ring must be encrypted at rest "
                + "with an RSA certificate (.pfx, e.g. `openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=chatboost-keys "
                + "-keyout k.pem -out c.pem && openssl pkcs12 -export -inkey k.pem -in c.pem -out keys.pfx`), or set "
                + "DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true to store the keys in the clear on purpose.");
        }

        return Unencrypted;
    }
}
