using System.Security.Cryptography.X509Certificates;
using ChatBoost.Configuration;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class ClusterTlsSettingsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    [Fact]
    public void TlsIsOffWithoutACertificatePath() =>
        Assert.Null(ClusterTlsSettings.Load(Config()));

    [Fact]
    public void APasswordWithoutAPathIsRefused() =>
        Assert.Throws<ConfigurationException>(() => ClusterTlsSettings.Load(Config((ClusterTlsSettings.PasswordKey, "pw"))));

    [Fact]
    public void ThePfxIsLoadedWithItsKeyAndOnlyThatCertificateIsAMember()
    {
        using var certificate = TestCertificates.CreateRsa("CN=chatboost-cluster");
        using var impostor = TestCertificates.CreateRsa("CN=chatboost-cluster"); // same subject, different key
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            var tls = ClusterTlsSettings.Load(Config((ClusterTlsSettings.PathKey, path), (ClusterTlsSettings.PasswordKey, TestCertificates.Password)));

            Assert.NotNull(tls);
            Assert.True(tls.Certificate.HasPrivateKey);
            using var presentedByAPeer = X509CertificateLoader.LoadCertificate(certificate.RawData); // public part only, as on the wire
            Assert.True(tls.IsClusterMember(presentedByAPeer));
            Assert.False(tls.IsClusterMember(impostor));
            Assert.False(tls.IsClusterMember(null));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AWrongPasswordIsRefusedWithoutRepeatingIt()
    {
        using var certificate = TestCertificates.CreateRsa();
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            var refusal = Assert.Throws<ConfigurationException>(() =>
                ClusterTlsSettings.Load(Config((ClusterTlsSettings.PathKey, path), (ClusterTlsSettings.PasswordKey, "not-the-password-x9"))));
            Assert.Contains("ORLEANS_TLS_CERTIFICATE_PATH", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password-x9", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingFileIsRefused() =>
        Assert.Throws<ConfigurationException>(() => ClusterTlsSettings.Load(Config((ClusterTlsSettings.PathKey, "/nonexistent/cluster.pfx"))));

    [Fact]
    public void TheEnvironmentVariablesMapOntoTheSettings()
    {
        Assert.Equal(ClusterTlsSettings.PathKey, EnvironmentVariables.Map["ORLEANS_TLS_CERTIFICATE_PATH"]);
        Assert.Equal(ClusterTlsSettings.PasswordKey, EnvironmentVariables.Map["ORLEANS_TLS_CERTIFICATE_PASSWORD"]);
        Assert.Equal(KeyRingProtectionSettings.PathKey, EnvironmentVariables.Map["DATA_PROTECTION_CERTIFICATE_PATH"]);
        Assert.Equal(KeyRingProtectionSettings.PasswordKey, EnvironmentVariables.Map["DATA_PROTECTION_CERTIFICATE_PASSWORD"]);
        Assert.Equal(KeyRingProtectionSettings.AllowUnencryptedKey, EnvironmentVariables.Map["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"]);
    }
}
