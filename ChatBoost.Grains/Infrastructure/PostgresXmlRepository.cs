using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The ASP.NET Core Data Protection key ring, stored in the <c>data_protection_keys</c> table
/// (migration 0025), so every silo reads and writes one shared key ring and keys survive restarts.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="IXmlRepository"/> is synchronous and the key manager calls it synchronously (under its own
/// lock, at the first use of the key ring, when the cached ring expires — about once a day — and when a key
/// is generated). This class therefore uses Npgsql's synchronous APIs (<c>NpgsqlDataSource.OpenConnection</c>,
/// Dapper's synchronous <c>Query</c>/<c>Execute</c>), which do real blocking I/O, rather than blocking on the
/// asynchronous ones (sync-over-async could starve the thread pool or deadlock a single-threaded scheduler such
/// as an Orleans grain's). The cost is one short blocking round trip on those rare occasions.
/// </para>
/// <para>
/// Elements are only ever inserted. A second insert with the same friendly name is ignored
/// (<c>ON CONFLICT (friendly_name) DO NOTHING</c>), so two silos storing the same element at once both
/// succeed. Key names embed the key's GUID, so two different keys never collide.
/// </para>
/// <para>
/// The repository stores what the key manager gives it: with a key-ring certificate configured, the master keys
/// arrive already encrypted (<c>encryptedSecret</c>); without one, in the clear. See <see cref="SecretProtectionServices"/>.
/// The one update, <see cref="ReplaceElement"/>, is <see cref="KeyRingEncryptionUpgrade"/> encrypting an old key.
/// </para>
/// </remarks>
public sealed class PostgresXmlRepository(Database database, ILogger<PostgresXmlRepository> logger) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.DataSource.OpenConnection();
        var rows = connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id");
        return rows.Select(xml => XElement.Parse(xml)).ToList().AsReadOnly();
    }

    /// <summary>The stored rows, for <see cref="KeyRingEncryptionUpgrade"/>.</summary>
    public IReadOnlyList<StoredElement> GetAllRows()
    {
        using var connection = database.DataSource.OpenConnection();
        return connection.Query<StoredElement>("SELECT id, friendly_name AS FriendlyName, xml FROM data_protection_keys ORDER BY id").ToList();
    }

    /// <summary>Replaces one row's XML if it still holds <paramref name="expectedXml"/>; returns whether it did.</summary>
    public bool ReplaceElement(long id, string expectedXml, XElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = database.DataSource.OpenConnection();
        return connection.Execute(
            "UPDATE data_protection_keys SET xml = @xml WHERE id = @id AND xml = @expectedXml",
            new { id, expectedXml, xml = element.ToString(SaveOptions.DisableFormatting) }) == 1;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);

        // The interface allows a missing friendly name; the column is NOT NULL UNIQUE, so give it a unique one.
        var name = string.IsNullOrWhiteSpace(friendlyName) ? "element-" + Guid.NewGuid().ToString("N") : friendlyName;
        using var connection = database.DataSource.OpenConnection();
        var inserted = connection.Execute(
            """
            INSERT INTO data_protection_keys (friendly_name, xml)
            VALUES (@name, @xml)
            ON CONFLICT (friendly_name) DO NOTHING
            """,
            new { name, xml = element.ToString(SaveOptions.DisableFormatting) });

        if (inserted == 0)
        {
            logger.LogWarning("Data protection element {FriendlyName} was already stored; kept the stored one", name);
        }
        else
        {
            logger.LogInformation("Stored data protection element {FriendlyName}", name);
        }
    }
}

/// <summary>One row of <c>data_protection_keys</c>.</summary>
public sealed record StoredElement(long Id, string FriendlyName, string Xml);
