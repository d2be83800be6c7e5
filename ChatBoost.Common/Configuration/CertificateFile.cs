using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatBoost.Configuration;

/// <summary>
/// A certificate with its private key read from a PKCS#12 (.pfx) file named by a setting. Problems are
/// <see cref="ConfigurationException"/>s naming the setting, never the password.
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
}
