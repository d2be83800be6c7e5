using Npgsql;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// A one-command unit for <see cref="BatchingStatementWriter"/>: <paramref name="sql"/> (which must return a result set)
/// with the parameters <paramref name="parameters"/> adds, read by <paramref name="read"/> once the batch committed;
/// <paramref name="lockKey"/> is its <see cref="BatchedStatement{T}.LockKey"/>.
/// </summary>
public sealed class SqlStatement<T>(
    string sql, Action<NpgsqlParameterCollection> parameters, Func<NpgsqlDataReader, CancellationToken, ValueTask<T>> read, string? lockKey = null)
    : BatchedStatement<T>
{
    public override string? LockKey => lockKey;

    public override IReadOnlyList<NpgsqlBatchCommand> CreateCommands()
    {
        var command = new NpgsqlBatchCommand(sql);
        parameters(command.Parameters);
        return [command];
    }

    public override ValueTask<T> ReadAsync(BatchResults results, CancellationToken cancellationToken) => read(results.Reader, cancellationToken);
}

/// <summary>Readers for <see cref="SqlStatement{T}"/>.</summary>
public static class SqlStatement
{
    /// <summary>The number of rows the statement returned (a <c>RETURNING</c> list: the rows it changed).</summary>
    public static SqlStatement<int> RowCount(string sql, Action<NpgsqlParameterCollection> parameters, string? lockKey = null) => new(sql, parameters, async (reader, ct) =>
    {
        var rows = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows++;
        }

        return rows;
    }, lockKey);

    /// <summary>The first column of the first row (default when there is none).</summary>
    public static SqlStatement<T?> Scalar<T>(string sql, Action<NpgsqlParameterCollection> parameters, string? lockKey = null) => new(sql, parameters, async (reader, ct) =>
        await reader.ReadAsync(ct).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetFieldValue<T>(0) : default, lockKey);
}
