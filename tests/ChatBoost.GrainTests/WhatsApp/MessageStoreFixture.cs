using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Silo.Migrations;
using ChatBoost.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatBoost.GrainTests.WhatsApp;

/// <summary>A fresh, migrated database for the message store tests; each test uses its own bot ids.</summary>
public sealed class MessageStoreFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private NpgsqlDataSource? _dataSource;
    private BatchingStatementWriter? _statementWriter;

    public TestDatabase TestDatabase => _database ?? throw new InvalidOperationException("Fixture not initialized.");

    public Database Database => new(_dataSource ?? throw new InvalidOperationException("Fixture not initialized."));

    /// <summary>The statement writer the outbox and the status writer commit through (started with the fixture).</summary>
    public BatchingStatementWriter StatementWriter => _statementWriter ?? throw new InvalidOperationException("Fixture not initialized.");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("messagestore");
        await MigrationRunner.ApplyAsync(_database.ConnectionString, NullLogger.Instance, CancellationToken.None);
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        _statementWriter = new BatchingStatementWriter(Database, NullLogger<BatchingStatementWriter>.Instance);
        await _statementWriter.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_statementWriter is not null)
        {
            await _statementWriter.StopAsync(CancellationToken.None);
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>A bot id no other test uses.</summary>
    public static long NewBotId() => Random.Shared.NextInt64(1, long.MaxValue);

    public static InboundRecord Inbound(long botId, string wamid, string contact = "15550001111", string? text = "hi", string? payload = null) =>
        new(botId, 7, contact, wamid, "text", text, payload ?? """{"type":"text"}""", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public async Task<BatchingMessageWriter> StartWriterAsync(Action<BatchingMessageWriterOptions>? configure = null, Database? database = null)
    {
        var options = new BatchingMessageWriterOptions();
        configure?.Invoke(options);
        var writer = new BatchingMessageWriter(database ?? Database, Options.Create(options), NullLogger<BatchingMessageWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        return writer;
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MessageStoreCollection : ICollectionFixture<MessageStoreFixture>
{
    public const string Name = "Message store on PostgreSQL";
}
