using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatBoost.Testing;

/// <summary>
/// Self-signed certificates made by the test that uses them (no private key is ever committed), written as
/// password-protected .pfx files the way an operator would provide them.
/// </summary>
public static class TestCertificates
{
    public const string Password = "test-pfx-password-7f3a";

    /// <summary>
    /// A fresh RSA certificate with its private key, valid for a day. With <paramref name="ipAddress"/> it is also named by
    /// that address (a subject alternative name), so a TLS client that connects to the address accepts it as the server's.
    /// Self-signed, or, with <paramref name="issuer"/> (see <see cref="CreateAuthority"/>), signed by that authority.
    /// </summary>
    public static X509Certificate2 CreateRsa(string subject = "CN=chatboost-test", IPAddress? ipAddress = null, X509Certificate2? issuer = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (ipAddress is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(ipAddress);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, false, 0, critical: true));
        using var signed = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A fresh certificate authority (RSA, with its private key, valid for two days): the root of a private PKI, for
    /// <see cref="CreateRsa"/>'s <c>issuer</c>.
    /// </summary>
    public static X509Certificate2 CreateAuthority(string subject = "CN=chatboost-test-ca")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    /// <summary>A fresh ECDSA certificate (not usable for XML key encryption, which wraps keys with RSA).</summary>
    public static X509Certificate2 CreateEcdsa(string subject = "CN=chatboost-test-ec")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Writes <paramref name="certificate"/> with its key to a new temporary .pfx protected by <see cref="Password"/>.</summary>
    public static string WritePfx(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var path = Path.Combine(Path.GetTempPath(), $"chatboost-test-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    /// <summary>
    /// Writes <paramref name="certificates"/> without their keys to a new temporary PEM file: a bundle of trusted roots,
    /// such as the one <c>SMTP_CA_FILE</c> names.
    /// </summary>
    public static string WriteTrustPem(params X509Certificate2[] certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var path = Path.Combine(Path.GetTempPath(), $"chatboost-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, string.Join('\n', certificates.Select(c => c.ExportCertificatePem())) + "\n");
        return path;
    }
}
