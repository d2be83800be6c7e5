using System.Security.Cryptography;
using System.Xml.Linq;
using ChatBoost.Configuration;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Silo.Migrations;
using ChatBoost.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace ChatBoost.GrainTests.Infrastructure;

/// <summary>
/// <see cref="ISecretProtector"/> as the silos get it from <c>AddChatBoostSecretProtection</c>: each
/// "silo" is its own service provider (own data source, own Data Protection key-ring cache) on one
/// fresh, migrated database, so everything they share goes through the <c>data_protection_keys</c> table.
/// </summary>
public sealed class SecretProtectionTests
{
    private const string Secret = "EAAG-whatsapp-access-token-0123456789";

    [Fact]
    public async Task What_one_silo_protects_another_unprotects()
    {
        await using var database = await MigratedDatabaseAsync("secrets_cross");
        await using var siloA = new FakeSilo(database.ConnectionString);
        await using var siloB = new FakeSilo(database.ConnectionString);

        var fromA = siloA.Protector.Protect(Secret);
        var fromB = siloB.Protector.Protect("app-secret-é✓");

        Assert.Equal(Secret, siloB.Protector.Unprotect(fromA));
        Assert.Equal("app-secret-é✓", siloA.Protector.Unprotect(fromB));
        Assert.Equal(Secret, siloA.Protector.Unprotect(fromA));
    }

    [Fact]
    public async Task Ciphertext_does_not_reveal_the_plaintext_and_is_not_deterministic()
    {
        await using var database = await MigratedDatabaseAsync("secrets_opaque");
        await using var silo = new FakeSilo(database.ConnectionString);

        var first = silo.Protector.Protect(Secret);
        var second = silo.Protector.Protect(Secret);

        Assert.DoesNotContain(Secret, first, StringComparison.Ordinal);
        Assert.DoesNotContain("whatsapp", first, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(first, second); // random IV per value: equal secrets are not recognisable in state dumps
        Assert.Equal(Secret, silo.Protector.Unprotect(second));
    }

    [Fact]
    public async Task Tampered_or_foreign_values_throw_CryptographicException()
    {
        await using var database = await MigratedDatabaseAsync("secrets_tamper");
        await using var silo = new FakeSilo(database.ConnectionString);
        var protectedValue = silo.Protector.Protect(Secret);

        var middle = protectedValue.Length / 2;
        var tampered = string.Concat(protectedValue.AsSpan(0, middle), protectedValue[middle] == 'A' ? "B" : "A", protectedValue.AsSpan(middle + 1));
        Assert.Throws<CryptographicException>(() => silo.Protector.Unprotect(tampered));
        Assert.Throws<CryptographicException>(() => silo.Protector.Unprotect(protectedValue[..^4]));
        Assert.Throws<CryptographicException>(() => silo.Protector.Unprotect("not a protected value!"));
        Assert.Throws<CryptographicException>(() => silo.Protector.Unprotect(Secret));
        Assert.Throws<CryptographicException>(() => silo.Protector.Unprotect(string.Empty));
    }

    [Fact]
    public async Task A_value_from_another_key_ring_throws_CryptographicException()
    {
        await using var databaseA = await MigratedDatabaseAsync("secrets_ring_a");
        await using var databaseB = await MigratedDatabaseAsync("secrets_ring_b");
        await using var siloA = new FakeSilo(databaseA.ConnectionString);
        await using var siloB = new FakeSilo(databaseB.ConnectionString);

        var fromA = siloA.Protector.Protect(Secret);

        Assert.Throws<CryptographicException>(() => siloB.Protector.Unprotect(fromA));
    }

    /// <summary>
    /// Silos using an empty key table at the same moment create exactly one key: first use takes a PostgreSQL
    /// advisory lock, so the second silo reads the key the first one stored instead of activating its own
    /// (which its cached key ring would not share with the first silo until the next refresh, up to a day).
    /// Several rounds, each on a fresh database, to give the race a chance.
    /// </summary>
    [Fact]
    public async Task Silos_starting_together_on_an_empty_key_table_create_exactly_one_key()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var database = await MigratedDatabaseAsync("secrets_race");
            var silos = Enumerable.Range(0, 3).Select(_ => new FakeSilo(database.ConnectionString)).ToList();
            try
            {
                using var start = new Barrier(silos.Count);
                var protectedValues = await Task.WhenAll(silos.Select((silo, i) => Task.Run(() =>
                {
                    start.SignalAndWait(TimeSpan.FromSeconds(30));
                    return silo.Protector.Protect($"{Secret}-{i}");
                })));

                Assert.Equal(1L, await CountKeyRowsAsync(database));
                for (var i = 0; i < silos.Count; i++)
                {
                    foreach (var reader in silos)
                    {
                        Assert.Equal($"{Secret}-{i}", reader.Protector.Unprotect(protectedValues[i]));
                    }
                }
            }
            finally
            {
                foreach (var silo in silos)
                {
                    await silo.DisposeAsync();
                }
            }
        }
    }

    [Fact]
    public async Task Secrets_survive_a_restart_of_every_silo()
    {
        await using var database = await MigratedDatabaseAsync("secrets_restart");
        string protectedValue;
        await using (var before = new FakeSilo(database.ConnectionString))
        {
            protectedValue = before.Protector.Protect(Secret);
        }

        await using var after = new FakeSilo(database.ConnectionString);

        Assert.Equal(Secret, after.Protector.Unprotect(protectedValue));
        after.Protector.Protect("another");
        Assert.Equal(1L, await CountKeyRowsAsync(database)); // the restarted silo reused the stored key
    }

    [Fact]
    public async Task Silo_start_loads_the_key_ring_before_first_use()
    {
        await using var database = await MigratedDatabaseAsync("secrets_warmup");
        await using var silo = new FakeSilo(database.ConnectionString);

        foreach (var hosted in silo.Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        Assert.Equal(1L, await CountKeyRowsAsync(database));
    }

    [Fact]
    public async Task Repository_stores_elements_once_per_friendly_name_and_reads_them_all()
    {
        await using var database = await MigratedDatabaseAsync("secrets_repo");
        await using var siloA = new FakeSilo(database.ConnectionString);
        await using var siloB = new FakeSilo(database.ConnectionString);
        var repositoryA = siloA.Services.GetRequiredService<PostgresXmlRepository>();
        var repositoryB = siloB.Services.GetRequiredService<PostgresXmlRepository>();

        repositoryA.StoreElement(new XElement("key", new XAttribute("id", "1"), "first"), "key-1");
        repositoryB.StoreElement(new XElement("key", new XAttribute("id", "1"), "second"), "key-1"); // no throw
        repositoryB.StoreElement(new XElement("revocation", "all"), "revocation-1");

        var elements = repositoryB.GetAllElements();
        Assert.Equal(2, elements.Count);
        Assert.Equal("first", elements.First().Value); // the first insert wins
        Assert.Equal("revocation", elements.Last().Name.LocalName);
        Assert.Equal(2, repositoryA.GetAllElements().Count);
    }

    /// <summary>
    /// With a key-ring certificate, the table holds no key material: each key's master key is an
    /// <c>encryptedSecret</c> (XML encryption to the certificate), not a plaintext <c>&lt;masterKey&gt;&lt;value&gt;</c>;
    /// secrets still round-trip between silos that have the certificate, and a process holding the table but not
    /// the certificate cannot use the keys.
    /// </summary>
    [Fact]
    public async Task With_a_certificate_the_stored_keys_hold_no_plaintext_key_material()
    {
        await using var database = await MigratedDatabaseAsync("secrets_cert");
        using var certificate = TestCertificates.CreateRsa("CN=chatboost-key-ring");
        var keyRing = LoadKeyRingSettings(certificate);
        await using var siloA = new FakeSilo(database.ConnectionString, keyRing);
        await using var siloB = new FakeSilo(database.ConnectionString, LoadKeyRingSettings(certificate));

        var protectedValue = siloA.Protector.Protect(Secret);

        var keys = await KeyRowsAsync(database);
        var key = XElement.Parse(Assert.Single(keys));
        Assert.Single(key.Descendants(KeyRingXml.EncryptedSecretName));
        Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName is "masterKey" or "value");
        Assert.Empty(KeyRingXml.PlaintextSecrets(key));
        Assert.Equal(Secret, siloB.Protector.Unprotect(protectedValue));
        Assert.Equal(Secret, siloA.Protector.Unprotect(siloB.Protector.Protect(Secret)));

        await using var withoutCertificate = new FakeSilo(database.ConnectionString);
        Assert.Throws<CryptographicException>(() => withoutCertificate.Protector.Unprotect(protectedValue));
    }

    /// <summary>
    /// Keys written in the clear before the certificate was configured are encrypted in place at the next silo start
    /// (the warm-up), and what they protected keeps decrypting.
    /// </summary>
    [Fact]
    public async Task Keys_stored_before_the_certificate_are_encrypted_at_the_next_start_and_keep_decrypting()
    {
        await using var database = await MigratedDatabaseAsync("secrets_upgrade");
        string protectedBefore;
        await using (var before = new FakeSilo(database.ConnectionString))
        {
            protectedBefore = before.Protector.Protect(Secret);
        }

        var plaintextKey = XElement.Parse(Assert.Single(await KeyRowsAsync(database)));
        Assert.NotEmpty(KeyRingXml.PlaintextSecrets(plaintextKey)); // the unprotected ring, as it was

        using var certificate = TestCertificates.CreateRsa("CN=chatboost-key-ring");
        await using (var upgraded = new FakeSilo(database.ConnectionString, LoadKeyRingSettings(certificate)))
        {
            await upgraded.StartAsync();
            Assert.Equal(Secret, upgraded.Protector.Unprotect(protectedBefore));
        }

        var key = XElement.Parse(Assert.Single(await KeyRowsAsync(database)));
        Assert.Empty(KeyRingXml.PlaintextSecrets(key));
        Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName is "masterKey" or "value");
        Assert.Equal((string?)plaintextKey.Attribute("id"), (string?)key.Attribute("id")); // the same key, now encrypted

        await using var restarted = new FakeSilo(database.ConnectionString, LoadKeyRingSettings(certificate));
        await restarted.StartAsync(); // nothing left to upgrade
        Assert.Equal(Secret, restarted.Protector.Unprotect(protectedBefore));
        Assert.Equal(1L, await CountKeyRowsAsync(database));
    }

    /// <summary>The silo's own path: the .pfx written to disk and read back through the settings.</summary>
    private static KeyRingProtectionSettings LoadKeyRingSettings(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var path = TestCertificates.WritePfx(certificate);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [KeyRingProtectionSettings.PathKey] = path,
                [KeyRingProtectionSettings.PasswordKey] = TestCertificates.Password,
            }).Build();
            return KeyRingProtectionSettings.Load(configuration, isProduction: true);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<List<string>> KeyRowsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT xml FROM data_protection_keys WHERE friendly_name LIKE 'key-%' ORDER BY id", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<TestDatabase> MigratedDatabaseAsync(string prefix)
    {
        var database = await TestDatabase.CreateAsync(prefix);
        await MigrationRunner.ApplyAsync(database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        return database;
    }

    private static async Task<long> CountKeyRowsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys WHERE friendly_name LIKE 'key-%'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>The services of one silo, as registered by the silo host.</summary>
    private sealed class FakeSilo : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly ServiceProvider _services;

        public FakeSilo(string connectionString, KeyRingProtectionSettings? keyRing = null)
        {
            _dataSource = NpgsqlDataSource.Create(connectionString);
            _services = new ServiceCollection()
                .AddSingleton(_dataSource)
                .AddSingleton<Database>()
                .AddChatBoostSecretProtection(keyRing)
                .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            Protector = _services.GetRequiredService<ISecretProtector>();
        }

        public ISecretProtector Protector { get; }

        public IServiceProvider Services => _services;

        /// <summary>Runs the hosted services' start, as the silo host does.</summary>
        public async Task StartAsync()
        {
            foreach (var hosted in _services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await _dataSource.DisposeAsync();
        }
    }
}
