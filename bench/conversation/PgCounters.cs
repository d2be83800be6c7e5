using Npgsql;

namespace ChatBoost.Bench.Conversation;

/// <summary>Rows one table gained by insert, update and delete (cumulative counters of <c>pg_stat_user_tables</c>).</summary>
internal readonly record struct TableWrites(long Inserted, long Updated, long Deleted)
{
    public long Written => Inserted + Updated;

    public static TableWrites operator -(TableWrites a, TableWrites b) => new(a.Inserted - b.Inserted, a.Updated - b.Updated, a.Deleted - b.Deleted);
}

/// <summary>
/// The database's cumulative counters at one instant: committed and rolled-back transactions of the API's database
/// (<c>pg_stat_database</c>) and rows written per table (<c>pg_stat_user_tables</c>). Every client's, the silo's
/// background work included; a phase's share is the difference of two snapshots.
/// </summary>
internal sealed record PgSnapshot(DateTimeOffset At, long Commits, long Rollbacks, IReadOnlyDictionary<string, TableWrites> Tables)
{
    public static async Task<PgSnapshot> TakeAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync().ConfigureAwait(false);
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection))
        {
            await clear.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        long commits, rollbacks;
        await using (var database = new NpgsqlCommand(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection))
        await using (var reader = await database.ExecuteReaderAsync().ConfigureAwait(false))
        {
            await reader.ReadAsync().ConfigureAwait(false);
            commits = reader.GetInt64(0);
            rollbacks = reader.GetInt64(1);
        }

        var tables = new Dictionary<string, TableWrites>(StringComparer.Ordinal);
        await using (var rows = new NpgsqlCommand(
            "SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables", connection))
        await using (var reader = await rows.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                tables[reader.GetString(0)] = new TableWrites(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            }
        }

        return new PgSnapshot(DateTimeOffset.UtcNow, commits, rollbacks, tables);
    }
}

/// <summary>What happened between two snapshots, and its rate (to subtract the idle system's background work).</summary>
internal sealed record PgDelta(double Seconds, long Commits, long Rollbacks, IReadOnlyDictionary<string, TableWrites> Tables)
{
    public long Inserted => Tables.Values.Sum(t => t.Inserted);

    public long Updated => Tables.Values.Sum(t => t.Updated);

    public static PgDelta Between(PgSnapshot before, PgSnapshot after) => new(
        (after.At - before.At).TotalSeconds,
        after.Commits - before.Commits,
        after.Rollbacks - before.Rollbacks,
        after.Tables.ToDictionary(t => t.Key, t => t.Value - before.Tables.GetValueOrDefault(t.Key), StringComparer.Ordinal));
}
