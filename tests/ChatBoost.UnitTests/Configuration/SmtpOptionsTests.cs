using System.Collections;
using System.Security.Cryptography;
using ChatBoost.Configuration;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.UnitTests.Configuration;

/// <summary><c>SMTP_*</c> as the processes read them at start: <c>SMTP_CA_FILE</c> must name a readable PEM file with a certificate.</summary>
public sealed class SmtpOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chatboost-smtp-").FullName;

    [Fact]
    public void TheDefaultsAreStartTlsWithTheSystemsRoots()
    {
        var options = SmtpOptions.Load(Config(("SMTP_HOST", "smtp.example.test")));
        Assert.Equal(("starttls", 587, null), (options.Security, options.Port, options.CaFile));
    }

    [Fact]
    public void ACaFileWithACertificateIsAccepted()
    {
        using var authority = TestCertificates.CreateAuthority();
        var path = TestCertificates.WriteTrustPem(authority);
        try
        {
            Assert.Equal(path, SmtpOptions.Load(Config(("SMTP_CA_FILE", path))).CaFile);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingCaFileRefusesToStart()
    {
        var path = Path.Combine(_directory, "absent.pem");
        var e = Assert.Throws<ConfigurationException>(() => SmtpOptions.Load(Config(("SMTP_CA_FILE", path))));
        Assert.Contains($"SMTP_CA_FILE names a file that does not exist: {path}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACaFileWithoutACertificateRefusesToStart()
    {
        // A private key alone, as a mistaken copy of the server's key file would be.
        using var key = RSA.Create(2048);
        var path = Write("key.pem", key.ExportPkcs8PrivateKeyPem());
        var e = Assert.Throws<ConfigurationException>(() => SmtpOptions.Load(Config(("SMTP_CA_FILE", path))));
        Assert.Contains($"SMTP_CA_FILE ({path}) holds no PEM certificate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACaFileWithABrokenCertificateRefusesToStart()
    {
        var path = Write("broken.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        var e = Assert.Throws<ConfigurationException>(() => SmtpOptions.Load(Config(("SMTP_CA_FILE", path))));
        Assert.Contains($"SMTP_CA_FILE ({path}) holds a certificate block that is not a valid certificate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACaFileWithoutTlsRefusesToStart()
    {
        using var authority = TestCertificates.CreateAuthority();
        var path = TestCertificates.WriteTrustPem(authority);
        try
        {
            var e = Assert.Throws<ConfigurationException>(() => SmtpOptions.Load(Config(("SMTP_CA_FILE", path), ("SMTP_SECURITY", "none"))));
            Assert.Contains("SMTP_CA_FILE is set but SMTP_SECURITY is none", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnknownSecurityRefusesToStart()
    {
        var e = Assert.Throws<ConfigurationException>(() => SmtpOptions.Load(Config(("SMTP_SECURITY", "starttls-when-available"))));
        Assert.Equal("SMTP_SECURITY must be starttls, ssl or none.", e.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static IConfiguration Config(params (string Variable, string Value)[] env)
    {
        var table = new Hashtable();
        foreach (var (variable, value) in env)
        {
            table[variable] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(EnvironmentVariables.Read(table)).Build();
    }
}
