using ChatBoost.Grains.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatBoost.GrainTests.Infrastructure;

/// <summary>
/// The statement writer on real PostgreSQL: every unit gets its own results, a unit PostgreSQL refuses fails alone (the
/// others of its batch are committed), and a caller hears "done" only for what committed.
/// </summary>
[Collection(ChatBoostClusterCollection.Name)]
public class BatchingStatementWriterTests(ChatBoostClusterFixture fixture)
{
    /// <summary>Inserts one row into a scratch table and returns its value; a value of 0 violates the table's check.</summary>
    private sealed class InsertValue(string table, int value) : BatchedStatement<int>
    {
        public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands() =>
        [
            new NpgsqlBatchCommand($"INSERT INTO {table} (v) VALUES (@v) RETURNING v") { Parameters = { new NpgsqlParameter("v", value) } },
            new NpgsqlBatchCommand($"SELECT count(*)::int FROM {table} WHERE v = @v") { Parameters = { new NpgsqlParameter("v", value) } },
        ];

        public override async ValueTask<int> ReadAsync(BatchResults results, CancellationToken cancellationToken)
        {
            Assert.True(await results.Reader.ReadAsync(cancellationToken));
            var inserted = results.Reader.GetInt32(0);
            await results.NextAsync(cancellationToken);
            Assert.True(await results.Reader.ReadAsync(cancellationToken));
            Assert.Equal(1, results.Reader.GetInt32(0)); // its own row, inside the batch's transaction
            return inserted;
        }
    }

    private async Task<string> ScratchTableAsync()
    {
        var table = $"writer_test_{Guid.NewGuid():N}";
        await using var connection = await fixture.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE TABLE {table} (v integer PRIMARY KEY CHECK (v <> 0))", connection);
        await create.ExecuteNonQueryAsync();
        return table;
    }

    private async Task<List<int>> RowsAsync(string table)
    {
        await using var connection = await fixture.OpenAsync();
        await using var select = new NpgsqlCommand($"SELECT v FROM {table} ORDER BY v", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<int>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetInt32(0));
        }

        return rows;
    }

    [Fact]
    public async Task ManyCallersAtOnce_EachGetsItsOwnResults_AndOneRefusedUnitFailsAlone()
    {
        var table = await ScratchTableAsync();
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var writer = new BatchingStatementWriter(new Database(dataSource), NullLogger<BatchingStatementWriter>.Instance);
        await writer.StartAsync(default);
        try
        {
            // 200 units submitted together: they share batches; value 0 breaks the CHECK, 77 is submitted twice.
            var values = Enumerable.Range(-100, 200).Append(77).ToList();
            var calls = values.Select(v => (Value: v, Task: writer.ExecuteAsync(new InsertValue(table, v)))).ToList();
            foreach (var (value, task) in calls)
            {
                if (value == 0)
                {
                    var refused = await Assert.ThrowsAsync<PostgresException>(() => task);
                    Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
                }
                else if (value != 77)
                {
                    Assert.Equal(value, await task);
                }
            }

            // Of the two 77s exactly one committed; the other failed with a unique violation.
            var sevenSeven = calls.Where(c => c.Value == 77).Select(c => c.Task).ToList();
            await Task.WhenAll(sevenSeven.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            Assert.Equal(1, sevenSeven.Count(t => t.IsCompletedSuccessfully));
            Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(sevenSeven.Single(t => t.IsFaulted).Exception!.InnerException).SqlState);

            Assert.Equal(Enumerable.Range(-100, 200).Where(v => v != 0).ToList(), await RowsAsync(table));
            Assert.Equal(199, writer.UnitsCommitted);
        }
        finally
        {
            await writer.StopAsync(default);
        }
    }

    [Fact]
    public async Task ADatabaseThatCannotBeReached_FailsTheCaller_AndTheWriterKeepsRunning()
    {
        var table = await ScratchTableAsync();
        var unreachable = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(unreachable);
        var writer = new BatchingStatementWriter(new Database(dataSource), NullLogger<BatchingStatementWriter>.Instance);
        await writer.StartAsync(default);
        try
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => writer.ExecuteAsync(new InsertValue(table, 5)));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => writer.ExecuteAsync(new InsertValue(table, 6)));
            Assert.Empty(await RowsAsync(table));
        }
        finally
        {
            await writer.StopAsync(default);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExecuteAsync(new InsertValue(table, 7)));
    }
}
