using ChatBoost.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// Registers <see cref="ISecretProtector"/>: ASP.NET Core Data Protection with application name "ChatBoost"
/// and its key ring in PostgreSQL (<see cref="PostgresXmlRepository"/>), shared by every silo.
/// Requires <see cref="Database"/> in the container.
/// </summary>
/// <remarks>
/// <para>
/// <b>Keys at rest.</b> With a certificate (<see cref="KeyRingProtectionSettings"/>, <c>DATA_PROTECTION_CERTIFICATE_PATH</c>)
/// every key is written with its master key wrapped by the certificate's RSA public key (XML encryption,
/// <c>ProtectKeysWithCertificate</c>; it works on Linux, unlike DPAPI), so the <c>data_protection_keys</c> table
/// holds an <c>encryptedSecret</c> instead of the key and a copy of the database alone decrypts nothing. Decrypting
/// needs the certificate's private key, so every silo needs the same .pfx. Without a certificate (allowed outside
/// production, or with <c>DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS</c>) the master keys are stored in plain XML.
/// </para>
/// <para>
/// Keys written before the certificate was configured stay readable (Data Protection decrypts only the elements
/// marked encrypted), and <see cref="KeyRingEncryptionUpgrade"/> re-encrypts them in place at the next silo start.
/// </para>
/// <para>Key lifetime is Data Protection's default (90 days, rotated automatically; old keys keep decrypting).</para>
/// </remarks>
public static class SecretProtectionServices
{
    /// <summary>Data Protection's application discriminator; every silo must use the same one to share keys.</summary>
    public const string ApplicationName = "ChatBoost";

    public static IServiceCollection AddChatBoostSecretProtection(this IServiceCollection services, KeyRingProtectionSettings? keyRing = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        keyRing ??= KeyRingProtectionSettings.Unencrypted;

        services.AddLogging();
        services.TryAddSingleton<PostgresXmlRepository>();
        services.TryAddSingleton<KeyRingEncryptionUpgrade>();

        // Registered before Data Protection's own start-up warm-up (hosted services start in registration
        // order), so the first key is created under the cross-silo lock rather than by every silo at once.
        services.AddHostedService<SecretKeyRingWarmup>();

        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (keyRing.Certificate is not null)
        {
            dataProtection.ProtectKeysWithCertificate(keyRing.Certificate);
        }

        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresXmlRepository>((options, repository) => options.XmlRepository = repository);

        services.TryAddSingleton<DataProtectionSecretProtector>();
        services.TryAddSingleton<ISecretProtector>(sp => sp.GetRequiredService<DataProtectionSecretProtector>());
        return services;
    }

    /// <summary>
    /// Encrypts keys stored in the clear before the certificate was set, then loads the key ring, at silo start,
    /// so a missing or unreachable key table fails the start.
    /// </summary>
    private sealed class SecretKeyRingWarmup(KeyRingEncryptionUpgrade upgrade, DataProtectionSecretProtector protector) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            upgrade.Run();
            protector.EnsureKeyRing();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
