using Npgsql;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// One caller's write for <see cref="BatchingStatementWriter"/>: commands that must commit together, and the reading of
/// their results. Units from many callers share one round trip and one transaction, so a unit must be correct whatever
/// else commits with it: its commands are conditional on what they check themselves (a fence is a <c>WHERE version =
/// @version</c> inside its own statement, never a read by the caller beforehand), and every command returns a result set
/// (a <c>SELECT</c> or <c>RETURNING</c>; wrap a bare statement as <c>WITH x AS (… RETURNING 1) SELECT count(*) FROM x</c>)
/// so the writer can hand each unit its own results in order.
/// </summary>
public abstract class BatchedStatement<T>
{
    /// <summary>The unit's commands, in order: new ones for every attempt (a parameter bound once cannot be sent again).</summary>
    public abstract IReadOnlyList<NpgsqlBatchCommand> CreateCommands();

    /// <summary>
    /// Reads the unit's results: <paramref name="results"/> is positioned on its first command's result set; move to the
    /// next one with <see cref="BatchResults.NextAsync"/>. Runs only after the whole batch committed.
    /// </summary>
    public abstract ValueTask<T> ReadAsync(BatchResults results, CancellationToken cancellationToken);

    /// <summary>
    /// The row other units may also lock that this unit locks (<c>contact:…</c> for a contact's commit, <c>message:…</c> for
    /// an outbound message), or null when it locks none. The writer runs a batch's units in the order of these keys, so
    /// every batch — this silo's concurrent ones and other silos' — takes such rows in the same order, and two batches
    /// that touch the same rows queue behind each other instead of deadlocking (a deadlock costs PostgreSQL's
    /// <c>deadlock_timeout</c>, a second by default, and the refused batch's retry one unit at a time). One key per row:
    /// every unit that locks a row names it the same way.
    /// </summary>
    public virtual string? LockKey => null;
}

/// <summary>The results of one unit's commands, one result set per command, in order.</summary>
public sealed class BatchResults
{
    private readonly NpgsqlDataReader _reader;
    private int _remaining;

    internal BatchResults(NpgsqlDataReader reader, int commands)
    {
        _reader = reader;
        _remaining = commands;
    }

    /// <summary>The current command's rows.</summary>
    public NpgsqlDataReader Reader => _reader;

    /// <summary>Moves to the unit's next command's result set.</summary>
    public async Task NextAsync(CancellationToken cancellationToken)
    {
        if (_remaining <= 1)
        {
            throw new InvalidOperationException("The unit has no further command.");
        }

        _remaining--;
        if (!await _reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("A batched command returned no result set: every command of a unit must return one.");
        }
    }

    /// <summary>Skips the rest of this unit's result sets (the writer calls it before the next unit).</summary>
    internal async Task SkipRestAsync(CancellationToken cancellationToken)
    {
        while (_remaining > 1)
        {
            await NextAsync(cancellationToken).ConfigureAwait(false);
        }

        _remaining = 0;
    }
}
