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
/// <b>The keys are stored unencrypted.</b> No XML encryptor is configured (Data Protection logs a warning
/// saying so at startup), so the <c>data_protection_keys</c> table holds the master keys in plain XML, in the
/// same database as the ciphertexts. Protecting secrets this way guards against leaks of grain-state dumps
/// and backups of the state table only when the key table is access-controlled separately (its own grants,
/// excluded from such dumps). Anyone who can read both tables can decrypt every secret.
/// </para>
/// <para>
/// Production hardening: encrypt the keys at rest with a key held outside the database, e.g.
/// <c>ProtectKeysWithCertificate(...)</c> (or <c>ProtectKeysWithAzureKeyVault</c> and the like), configured
/// next to the repository (<c>PersistKeysTo…</c>); every silo then needs that certificate. Not done here.
/// </para>
/// <para>Key lifetime is Data Protection's default (90 days, rotated automatically; old keys keep decrypting).</para>
/// </remarks>
public static class SecretProtectionServices
{
    /// <summary>Data Protection's application discriminator; every silo must use the same one to share keys.</summary>
    public const string ApplicationName = "ChatBoost";

    public static IServiceCollection AddChatBoostSecretProtection(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddLogging();
        services.TryAddSingleton<PostgresXmlRepository>();

        // Registered before Data Protection's own start-up warm-up (hosted services start in registration
        // order), so the first key is created under the cross-silo lock rather than by every silo at once.
        services.AddHostedService<SecretKeyRingWarmup>();

        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresXmlRepository>((options, repository) => options.XmlRepository = repository);

        services.TryAddSingleton<DataProtectionSecretProtector>();
        services.TryAddSingleton<ISecretProtector>(sp => sp.GetRequiredService<DataProtectionSecretProtector>());
        return services;
    }

    /// <summary>Loads the key ring at silo start, so a missing or unreachable key table fails the start.</summary>
    private sealed class SecretKeyRingWarmup(DataProtectionSecretProtector protector) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            protector.EnsureKeyRing();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
