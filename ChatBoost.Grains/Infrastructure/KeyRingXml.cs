using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The parts of Data Protection's key XML that say what is secret: an element marked
/// <c>dp:requiresEncryption="true"</c> (a key's <c>masterKey</c>) is written in the clear when no encryptor is
/// configured, and as an <c>encryptedSecret</c> element naming its decryptor when one is. This is the same
/// envelope the key manager writes for a new key, so a key re-encrypted here reads like any other.
/// </summary>
public static class KeyRingXml
{
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";

    public static readonly XName EncryptedSecretName = DataProtectionNamespace + "encryptedSecret";

    private static readonly XName RequiresEncryptionName = DataProtectionNamespace + "requiresEncryption";

    /// <summary>The elements of <paramref name="element"/> that hold secrets in the clear.</summary>
    public static IReadOnlyList<XElement> PlaintextSecrets(XElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return element.DescendantsAndSelf()
            .Where(e => (string?)e.Attribute(RequiresEncryptionName) is { } value && bool.TryParse(value, out var required) && required)
            .Where(e => !e.Ancestors(EncryptedSecretName).Any())
            .ToList();
    }

    /// <summary>
    /// Replaces every plaintext secret of <paramref name="element"/> (changed in place) by its encryption under
    /// <paramref name="encryptor"/>; returns how many it replaced.
    /// </summary>
    public static int EncryptPlaintextSecrets(XElement element, IXmlEncryptor encryptor)
    {
        ArgumentNullException.ThrowIfNull(encryptor);
        var secrets = PlaintextSecrets(element);
        foreach (var secret in secrets)
        {
            var encrypted = encryptor.Encrypt(new XElement(secret));
            secret.ReplaceWith(new XElement(
                EncryptedSecretName,
                new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!),
                encrypted.EncryptedElement));
        }

        return secrets.Count;
    }
}
