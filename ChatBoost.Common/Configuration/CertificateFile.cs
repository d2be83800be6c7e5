using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatBoost.Configuration;

/// <summary>
/// Certificate files named by a setting: a certificate with its private key from a PKCS#12 (.pfx) file, or the
/// certificates of a PEM bundle (trusted roots). Problems are <see cref="ConfigurationException"/>s naming the setting,
/// never a password.
/// </summary>
public static class CertificateFile
{
    private static readonly string Refusal = "ChatBoost cannot start:" + Environment.NewLine + "- ";

    public static X509Certificate2 LoadWithPrivateKey(string path, string? password, string pathVariable)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ConfigurationException(Refusal + $"{pathVariable} names a file that does not exist: {path}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (CryptographicException)
        {
            throw new ConfigurationException(
                Refusal + $"{pathVariable} ({path}) is not a PKCS#12 (.pfx) file this password opens: check the file and its password variable.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ConfigurationException(Refusal + $"{pathVariable} ({path}) holds no private key: export the certificate with its key (.pfx).");
        }

        return certificate;
    }

    /// <summary>
    /// Every certificate (<c>-----BEGIN CERTIFICATE-----</c> block) of the PEM file at <paramref name="path"/>; other blocks,
    /// such as a private key, are ignored. A file that is missing, cannot be read or holds no certificate is refused.
    /// </summary>
    public static X509Certificate2Collection LoadPemBundle(string path, string pathVariable)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ConfigurationException(Refusal + $"{pathVariable} names a file that does not exist: {path}.");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(Refusal + $"{pathVariable} ({path}) cannot be read: {e.Message}");
        }
        catch (CryptographicException)
        {
            throw new ConfigurationException(Refusal + $"{pathVariable} ({path}) holds a certificate block that is not a valid certificate.");
        }

        if (certificates.Count == 0)
        {
            throw new ConfigurationException(Refusal + $"{pathVariable} ({path}) holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        return certificates;
    }
}
