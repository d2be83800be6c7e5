using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// Mutual TLS between silos and between the API (the Orleans client) and the silos' gateways, opt-in with
/// <c>ORLEANS_TLS_CERTIFICATE_PATH</c> (a .pfx) and <c>ORLEANS_TLS_CERTIFICATE_PASSWORD</c>. Every process of the
/// cluster loads the same certificate, presents it on every connection, and accepts a peer only if it presents
/// that very certificate (pinned by its SHA-256 hash, whoever issued it): holding the .pfx is what makes a process
/// a member. A self-signed certificate is therefore enough, and no CA or host name is involved.
/// </summary>
public sealed class ClusterTlsSettings
{
    public const string PathKey = "ClusterTls:CertificatePath";
    public const string PasswordKey = "ClusterTls:CertificatePassword";

    private readonly byte[] _pinnedHash;

    private ClusterTlsSettings(X509Certificate2 certificate)
    {
        Certificate = certificate;
        _pinnedHash = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The cluster certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Reads the settings; null when TLS is off (no path set). Throws <see cref="ConfigurationException"/>.</summary>
    public static ClusterTlsSettings? Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration[PathKey];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!string.IsNullOrEmpty(configuration[PasswordKey]))
            {
                throw new ConfigurationException("ChatBoost cannot start:" + Environment.NewLine + "- ORLEANS_TLS_CERTIFICATE_PASSWORD is set without ORLEANS_TLS_CERTIFICATE_PATH.");
            }

            return null;
        }

        return new ClusterTlsSettings(
            CertificateFile.LoadWithPrivateKey(path.Trim(), configuration[PasswordKey], "ORLEANS_TLS_CERTIFICATE_PATH"));
    }

    /// <summary>Whether a peer's certificate is the cluster certificate (chain and name errors do not matter: it is pinned).</summary>
    public bool IsClusterMember(X509Certificate? remote) =>
        remote is not null && CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), _pinnedHash);
}
