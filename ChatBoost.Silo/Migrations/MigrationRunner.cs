using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ChatBoost.Silo.Migrations;

/// <summary>
/// Applies the numbered SQL scripts embedded from <c>Migrations/Sql/NNNN_name.sql</c> to a
/// PostgreSQL database, each once, in order, each in its own transaction, recording them in
/// <c>schema_migrations</c>. Silos starting together serialize on a session advisory lock.
/// </summary>
public sealed partial class MigrationRunner
{
    /// <summary>Fixed advisory lock key ("ChatBoos" in ASCII); advisory locks are per database.</summary>
    private const long AdvisoryLockKey = 0x4368_6174_426F_6F73;

    private const string ResourceMarker = ".Migrations.Sql.";

    private MigrationRunner()
    {
    }

    /// <summary>
    /// Applies every embedded migration not yet recorded in the database.
    /// </summary>
    /// <returns>The names (file name without extension) of the migrations applied by this call.</returns>
    /// <exception cref="MigrationChecksumMismatchException">An applied migration's script has changed.</exception>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string npgsqlConnectionString, ILogger logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(npgsqlConnectionString);
        ArgumentNullException.ThrowIfNull(logger);

        var migrations = LoadEmbeddedMigrations();

        // One dedicated connection holds the session lock for the whole run; closing it would
        // also release the lock if the explicit unlock below cannot run.
        await using var connection = new NpgsqlConnection(npgsqlConnectionString);
        await connection.OpenAsync(ct);

        logger.LogInformation("Waiting for the schema migration lock");
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", AdvisoryLockKey, ct);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations
                (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, key: null, ct);

            var applied = await ReadAppliedAsync(connection, ct);
            VerifyAppliedUnchanged(migrations, applied, logger);

            var appliedNow = new List<string>();
            foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
                await ApplyOneAsync(connection, migration, ct);
                appliedNow.Add(migration.Name);
            }

            logger.LogInformation(
                "Database schema is up to date: {AppliedCount} migration(s) applied now, {TotalCount} known",
                appliedNow.Count,
                migrations.Count);
            return appliedNow;
        }
        finally
        {
            await ReleaseLockAsync(connection, logger);
        }
    }

    /// <summary>The embedded migrations, ordered by version.</summary>
    internal static IReadOnlyList<Migration> LoadEmbeddedMigrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var markerAt = resource.IndexOf(ResourceMarker, StringComparison.Ordinal);
            if (markerAt < 0 || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // MSBuild may prefix a name segment that starts with a digit with '_'.
            var fileName = resource[(markerAt + ResourceMarker.Length)..].TrimStart('_');
            var match = MigrationFileName().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Embedded migration '{fileName}' is not named NNNN_description.sql.");
            }

            var sql = ReadResource(assembly, resource);
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                Path.GetFileNameWithoutExtension(fileName),
                sql,
                Checksum(sql)));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        }

        return migrations.OrderBy(m => m.Version).ToList();
    }

    /// <summary>
    /// SHA-256 of the script with line endings normalized, so a CRLF checkout does not count
    /// as a change.
    /// </summary>
    internal static string Checksum(string sql)
    {
        var normalized = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource '{resource}' cannot be opened.");
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static async Task<Dictionary<int, AppliedMigration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var applied = new Dictionary<int, AppliedMigration>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetInt32(0)] = new AppliedMigration(reader.GetString(1), reader.GetString(2));
        }

        return applied;
    }

    private static void VerifyAppliedUnchanged(
        IReadOnlyList<Migration> migrations,
        Dictionary<int, AppliedMigration> applied,
        ILogger logger)
    {
        var known = migrations.ToDictionary(m => m.Version);
        foreach (var (version, record) in applied.OrderBy(a => a.Key))
        {
            if (!known.TryGetValue(version, out var migration))
            {
                // A newer build already migrated this database (e.g. during a rolling upgrade).
                logger.LogWarning(
                    "Database has migration {Version} {Name} that this build does not know",
                    version,
                    record.Name);
                continue;
            }

            if (!string.Equals(migration.Checksum, record.Checksum, StringComparison.Ordinal))
            {
                throw new MigrationChecksumMismatchException(version, migration.Name, record.Checksum, migration.Checksum);
            }
        }
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // No parameters: Npgsql sends the script as is (several statements in one batch).
        await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            script.CommandTimeout = 0; // bounded by the caller's token, not by a fixed timeout
            await script.ExecuteNonQueryAsync(ct);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, now())",
            connection,
            transaction))
        {
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            record.Parameters.AddWithValue("checksum", migration.Checksum);
            await record.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Releases the session lock without masking the run's own exception. The token is not
    /// used: a cancelled run must still unlock before the connection returns to the pool.
    /// If the connection is broken, PostgreSQL has already dropped the session and its lock,
    /// and disposing the connection discards it.
    /// </summary>
    private static async Task ReleaseLockAsync(NpgsqlConnection connection, ILogger logger)
    {
        try
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", AdvisoryLockKey, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("Could not release the schema migration lock explicitly: {Reason}", e.Message);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long? key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.CommandTimeout = 0; // waiting for the lock is bounded by the token only
        if (key is not null)
        {
            command.Parameters.AddWithValue("key", key.Value);
        }

        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"^(?<version>\d+)_[A-Za-z0-9_\-]+\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex MigrationFileName();

    internal sealed record Migration(int Version, string Name, string Sql, string Checksum);

    private sealed record AppliedMigration(string Name, string Checksum);
}

/// <summary>
/// Thrown when a migration already applied to the database no longer matches the embedded
/// script. Applied migrations are immutable: add a new numbered migration instead.
/// </summary>
public sealed class MigrationChecksumMismatchException : Exception
{
    public MigrationChecksumMismatchException(int version, string name, string appliedChecksum, string embeddedChecksum)
        : base($"Migration {version} '{name}' was applied with checksum {appliedChecksum} but the embedded script now has " +
               $"checksum {embeddedChecksum}. Applied migrations must not change; revert the edit and add a new migration.")
    {
        Version = version;
        Name = name;
    }

    public int Version { get; }

    public string Name { get; }
}
