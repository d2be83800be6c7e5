using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// Encrypts, in place, the keys that were stored in the clear before a key-ring certificate was configured, so
/// configuring <c>DATA_PROTECTION_CERTIFICATE_PATH</c> protects the whole ring, not only keys created afterwards.
/// Runs at silo start; does nothing without a certificate. The key ids and master keys do not change, so every
/// secret protected under them keeps decrypting; only how the key is stored changes.
/// </summary>
/// <remarks>
/// Each row is replaced only if it still holds the XML that was read (two silos upgrading at once: the second
/// finds nothing left to do). A silo still running without the certificate keeps the ring it has cached, and
/// cannot read the upgraded keys after its next refresh: configure every silo with the certificate.
/// </remarks>
public sealed class KeyRingEncryptionUpgrade(
    PostgresXmlRepository repository, IOptions<KeyManagementOptions> keyManagement, ILogger<KeyRingEncryptionUpgrade> logger)
{
    /// <summary>Returns how many stored keys it encrypted.</summary>
    public int Run()
    {
        var encryptor = keyManagement.Value.XmlEncryptor;
        if (encryptor is null)
        {
            return 0;
        }

        var upgraded = 0;
        foreach (var row in repository.GetAllRows())
        {
            var element = XElement.Parse(row.Xml);
            if (KeyRingXml.EncryptPlaintextSecrets(element, encryptor) == 0)
            {
                continue;
            }

            if (repository.ReplaceElement(row.Id, row.Xml, element))
            {
                upgraded++;
                logger.LogInformation("Encrypted data protection element {FriendlyName}, stored in the clear before the key-ring certificate was set", row.FriendlyName);
            }
        }

        return upgraded;
    }
}
