using ChatBoost.Configuration;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Configuration;

public class KeyRingProtectionSettingsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();

    [Fact]
    public void ProductionWithoutACertificateRefusesToStartAndSaysWhatToSet()
    {
        var refusal = Assert.Throws<ConfigurationException>(() => KeyRingProtectionSettings.Load(Config(), isProduction: true));

        Assert.Contains("DATA_PROTECTION_CERTIFICATE_PATH is not set", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProductionMayStoreTheKeysInTheClearOnlyWhenToldExplicitly()
    {
        Assert.Null(KeyRingProtectionSettings.Load(Config((KeyRingProtectionSettings.AllowUnencryptedKey, "true")), isProduction: true).Certificate);
        Assert.Throws<ConfigurationException>(() =>
            KeyRingProtectionSettings.Load(Config((KeyRingProtectionSettings.AllowUnencryptedKey, "false")), isProduction: true));
        Assert.Throws<ConfigurationException>(() =>
            KeyRingProtectionSettings.Load(Config((KeyRingProtectionSettings.AllowUnencryptedKey, "sure")), isProduction: true));
    }

    [Fact]
    public void OutsideProductionTheKeysAreInTheClearWithoutACertificate() =>
        Assert.Null(KeyRingProtectionSettings.Load(Config(), isProduction: false).Certificate);

    [Fact]
    public void AnRsaPfxIsLoadedWithItsPrivateKey()
    {
        using var certificate = TestCertificates.CreateRsa();
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            var settings = KeyRingProtectionSettings.Load(
                Config((KeyRingProtectionSettings.PathKey, path), (KeyRingProtectionSettings.PasswordKey, TestCertificates.Password)), isProduction: true);

            Assert.NotNull(settings.Certificate);
            Assert.True(settings.Certificate.HasPrivateKey);
            Assert.Equal(certificate.Thumbprint, settings.Certificate.Thumbprint);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ANonRsaCertificateIsRefused()
    {
        using var certificate = TestCertificates.CreateEcdsa();
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            var refusal = Assert.Throws<ConfigurationException>(() => KeyRingProtectionSettings.Load(
                Config((KeyRingProtectionSettings.PathKey, path), (KeyRingProtectionSettings.PasswordKey, TestCertificates.Password)), isProduction: true));
            Assert.Contains("RSA", refusal.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
