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

    /// <summary>Adds one to a counter row and then holds its lock a few milliseconds, so that concurrent batches overlap.</summary>
    private sealed class Bump(string table, int id) : BatchedStatement<int>
    {
        public override string? LockKey => $"row:{id}";

        public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands() =>
        [
            new NpgsqlBatchCommand($"UPDATE {table} SET n = n + 1 WHERE id = @id RETURNING n") { Parameters = { new NpgsqlParameter("id", id) } },
            new NpgsqlBatchCommand("SELECT pg_sleep(0.003)"),
        ];

        public override async ValueTask<int> ReadAsync(BatchResults results, CancellationToken cancellationToken)
        {
            Assert.True(await results.Reader.ReadAsync(cancellationToken));
            return results.Reader.GetInt32(0);
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
    public async Task BatchesThatLockTheSameRowsInOppositeOrders_WaitForEachOther_AndNeverDeadlock()
    {
        const int Rows = 24;
        const int Rounds = 6;
        var table = $"writer_lock_test_{Guid.NewGuid():N}";
        await using (var connection = await fixture.OpenAsync())
        {
            await using var create = new NpgsqlCommand(
                $"CREATE TABLE {table} (id integer PRIMARY KEY, n integer NOT NULL); INSERT INTO {table} SELECT g, 0 FROM generate_series(1, {Rows}) g", connection);
            await create.ExecuteNonQueryAsync();
        }

        // Two writers, as two silos have (each with its own two loops): one is given the rows ascending, the other
        // descending, at the same moment. In submission order their batches would lock the rows in opposite orders and
        // deadlock in every round; in lock-key order they take them in one order and queue.
        await using var dataSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var writers = new[]
        {
            new BatchingStatementWriter(new Database(dataSource), NullLogger<BatchingStatementWriter>.Instance),
            new BatchingStatementWriter(new Database(dataSource), NullLogger<BatchingStatementWriter>.Instance),
        };
        foreach (var writer in writers)
        {
            await writer.StartAsync(default);
        }

        try
        {
            var ascending = Enumerable.Range(1, Rows).ToList();
            for (var round = 0; round < Rounds; round++)
            {
                var calls = ascending.Select(id => writers[0].ExecuteAsync(new Bump(table, id)))
                    .Concat(Enumerable.Reverse(ascending).Select(id => writers[1].ExecuteAsync(new Bump(table, id))))
                    .ToList();
                await Task.WhenAll(calls);
            }

            Assert.Equal(0, writers[0].BatchesRefused + writers[1].BatchesRefused);
            await using var connection = await fixture.OpenAsync();
            await using var select = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE n = {2 * Rounds}", connection);
            Assert.Equal((long)Rows, await select.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.StopAsync(default);
            }
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
