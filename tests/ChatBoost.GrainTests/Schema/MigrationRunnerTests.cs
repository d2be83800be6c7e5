using System.Reflection;
using ChatBoost.Silo.Migrations;
using ChatBoost.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace ChatBoost.GrainTests.Schema;

public sealed class MigrationRunnerTests
{
    /// <summary>The scripts owned by the Orleans schema; each must tolerate being run again.</summary>
    private static readonly string[] OrleansMigrations =
        ["0001_orleans_query_table", "0002_orleans_storage", "0003_orleans_reminders"];

    [Fact]
    public async Task Applies_every_migration_in_order_then_nothing_the_second_time()
    {
        await using var database = await TestDatabase.CreateAsync("migrations_twice");
        var logger = new RecordingLogger();

        var first = await MigrationRunner.ApplyAsync(database.ConnectionString, logger, CancellationToken.None);
        var second = await MigrationRunner.ApplyAsync(database.ConnectionString, logger, CancellationToken.None);

        Assert.Equal(EmbeddedMigrationNames(), first);
        Assert.Subset(first.ToHashSet(), OrleansMigrations.ToHashSet());
        Assert.Empty(second);
        Assert.Equal(first, await RecordedMigrationNamesAsync(database));
        Assert.Contains(logger.Messages, m => m.Contains("0002_orleans_storage", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, m => m.Contains("Password", StringComparison.OrdinalIgnoreCase)
            || m.Contains(database.ConnectionString, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_runners_starting_together_apply_each_migration_once()
    {
        await using var database = await TestDatabase.CreateAsync("migrations_race");

        var runs = await Task.WhenAll(
            MigrationRunner.ApplyAsync(database.ConnectionString, new RecordingLogger(), CancellationToken.None),
            MigrationRunner.ApplyAsync(database.ConnectionString, new RecordingLogger(), CancellationToken.None));

        // The lock serializes the runs: one applies everything, the other finds nothing to do.
        var all = runs[0].Concat(runs[1]).ToList();
        Assert.Equal(EmbeddedMigrationNames().Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Contains(runs, r => r.Count == 0);
        Assert.Equal(EmbeddedMigrationNames(), await RecordedMigrationNamesAsync(database));
    }

    [Fact]
    public async Task Refuses_to_start_when_an_applied_migration_changed()
    {
        await using var database = await TestDatabase.CreateAsync("migrations_checksum");
        await MigrationRunner.ApplyAsync(database.ConnectionString, new RecordingLogger(), CancellationToken.None);
        await ExecuteAsync(database, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2");

        var error = await Assert.ThrowsAsync<MigrationChecksumMismatchException>(() =>
            MigrationRunner.ApplyAsync(database.ConnectionString, new RecordingLogger(), CancellationToken.None));

        Assert.Equal(2, error.Version);
        Assert.Contains("0002_orleans_storage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orleans_scripts_can_run_again_without_failing()
    {
        await using var database = await TestDatabase.CreateAsync("migrations_rerun");
        await MigrationRunner.ApplyAsync(database.ConnectionString, new RecordingLogger(), CancellationToken.None);

        foreach (var name in OrleansMigrations)
        {
            await ExecuteAsync(database, ReadEmbeddedScript(name));
        }

        Assert.Equal(11L, await ScalarAsync<long>(database, """
            SELECT count(*) FROM orleansquery WHERE querykey IN (
                'WriteToStorageKey', 'ReadFromStorageKey', 'ClearStorageKey', 'DeleteStorageKey',
                'UpsertReminderRowKey', 'ReadReminderRowsKey', 'ReadReminderRowKey', 'ReadRangeRows1Key',
                'ReadRangeRows2Key', 'DeleteReminderRowKey', 'DeleteReminderRowsKey')
            """));
    }

    private static List<string> EmbeddedMigrationNames() =>
        typeof(MigrationRunner).Assembly.GetManifestResourceNames()
            .Where(r => r.Contains(".Migrations.Sql.", StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal))
            .Select(r => Path.GetFileNameWithoutExtension(r[(r.IndexOf(".Migrations.Sql.", StringComparison.Ordinal) + 16)..]).TrimStart('_'))
            .OrderBy(n => int.Parse(n[..n.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    private static string ReadEmbeddedScript(string name)
    {
        Assembly assembly = typeof(MigrationRunner).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(r => r.EndsWith("." + name + ".sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }

    private static async Task<List<string>> RecordedMigrationNamesAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Keeps formatted log messages so tests can check what the runner logs.</summary>
    private sealed class RecordingLogger : ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return _messages.ToList();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
