using ChatBoost.Grains.Contacts;
using ChatBoost.Grains.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBoost.GrainTests.Contacts;

/// <summary>A contact store outside any silo (as a second activation would have it), with its own started statement writer.</summary>
internal sealed class StoreForTests : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    private StoreForTests(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        Writer = new BatchingStatementWriter(new Database(dataSource), NullLogger<BatchingStatementWriter>.Instance);
        Store = new ContactStore(new Database(dataSource), Writer, ChatBoost.Testing.TestMetrics.Create());
    }

    public BatchingStatementWriter Writer { get; }

    public ContactStore Store { get; }

    public static async Task<StoreForTests> StartAsync(string connectionString)
    {
        var stores = new StoreForTests(NpgsqlDataSource.Create(connectionString));
        await stores.Writer.StartAsync(default);
        return stores;
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync(default);
        await _dataSource.DisposeAsync();
    }
}
