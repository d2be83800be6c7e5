using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ChatBoost.Grains.Infrastructure;

/// <summary>
/// The per-silo writer of the hot path's small transactions — the contact grains' step commits, the outbox's transitions,
/// delivery reports: many callers' <see cref="BatchedStatement{T}"/> units go to PostgreSQL as one <see cref="NpgsqlBatch"/>,
/// which is one round trip and one implicit transaction (one commit, one WAL flush) for all of them. A caller's task
/// completes only after its batch has committed.
/// </summary>
/// <remarks>
/// <para>
/// A bounded channel feeds <see cref="Loops"/> loops: each takes whatever is queued (up to <see cref="MaxBatch"/> units) and
/// sends it; while batches are in flight the next ones fill, so batches grow with load and a lone unit goes at once (no
/// linger). Two loops rather than one so that a unit never waits for more than the batch ahead of it: the outbox's
/// <c>sending</c>/<c>sent</c> marks bound how long a send stays in doubt after a crash.
/// </para>
/// <para>
/// Lock order: a batch runs its units in the order of their <see cref="BatchedStatement{T}.LockKey"/> (ordinal, keyless
/// first, stable), so all batches — both loops', every silo's — lock shared rows in one order and wait for each other
/// rather than deadlock. Without it they did, under load: a reply's <c>sent</c> mark from the sender and the same
/// message's status webhooks (each naming it by <c>biz_opaque_callback_data</c>) landed in concurrent batches in opposite
/// orders, and each deadlock held both batches for PostgreSQL's <c>deadlock_timeout</c> and then retried one of them unit by
/// unit. Units from one caller that it did not await in between have no order among themselves in any case (they may
/// land in different batches).
/// </para>
/// <para>
/// Failure: a batch is all or nothing. When PostgreSQL refuses it (any server error: a unit's unique violation, a deadlock
/// with another silo's batch), nothing of it committed, so each unit is retried alone and only the offending unit's caller
/// gets the error. Any other failure (the connection lost, the database down) fails every caller of the batch, exactly as
/// their own transaction would have: they must treat the write as not known to have happened.
/// </para>
/// <para>
/// Stop drains (register it before Orleans, so it stops after the grains): new units are refused, queued ones committed.
/// </para>
/// </remarks>
public sealed class BatchingStatementWriter(Database database, ILogger<BatchingStatementWriter> logger) : IHostedService
{
    /// <summary>The most units in one batch.</summary>
    public const int MaxBatch = 64;

    /// <summary>How many batches may be in flight at once.</summary>
    public const int Loops = 2;

    private const int Capacity = 4_096;

    private readonly Channel<IPending> _channel = Channel.CreateBounded<IPending>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = false,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private volatile bool _running;
    private Task? _loops;
    private long _batches;
    private long _units;
    private long _refused;

    /// <summary>Whether the loops run and take units (readiness: false before start, after stop, or if a loop broke).</summary>
    public bool IsRunning => _running && _loops is { IsCompleted: false };

    /// <summary>Batches committed.</summary>
    public long BatchesCommitted => Interlocked.Read(ref _batches);

    /// <summary>Units committed (in a batch or alone).</summary>
    public long UnitsCommitted => Interlocked.Read(ref _units);

    /// <summary>Batches PostgreSQL refused (a unit's error, a deadlock), whose units were then retried one by one.</summary>
    public long BatchesRefused => Interlocked.Read(ref _refused);

    /// <summary>Commits <paramref name="statement"/> with whatever else is queued; returns its results once committed.</summary>
    /// <exception cref="PostgresException">PostgreSQL refused the unit itself (nothing of it committed).</exception>
    /// <exception cref="InvalidOperationException">The writer is not running.</exception>
    public async Task<T> ExecuteAsync<T>(BatchedStatement<T> statement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!_running)
        {
            throw new InvalidOperationException("The statement writer is not running: register it with AddChatBoostStatementWriter and start the host.");
        }

        var pending = new Pending<T>(statement);
        try
        {
            await _channel.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The statement writer is stopping; nothing was written.");
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loops is not null)
        {
            throw new InvalidOperationException("The statement writer is already started.");
        }

        _running = true;
        _loops = Task.WhenAll(Enumerable.Range(0, Loops).Select(_ => Task.Run(RunAsync, CancellationToken.None)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        _channel.Writer.TryComplete();
        if (_loops is not null)
        {
            await _loops.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<IPending>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await CommitAsync(InLockOrder(batch, unit => unit.LockKey)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Not expected (CommitAsync handles database errors): fail whoever waits; later callers are refused.
            _running = false;
            _channel.Writer.TryComplete(e);
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }

            while (reader.TryRead(out var pending))
            {
                pending.Fail(e);
            }

            logger.LogCritical(e, "The statement writer loop failed; step commits cannot be written on this silo");
        }
    }

    private async Task CommitAsync(List<IPending> batch)
    {
        try
        {
            await ExecuteAsync(batch).ConfigureAwait(false);
        }
        catch (PostgresException e) when (batch.Count > 1)
        {
            Interlocked.Increment(ref _refused);
            logger.LogInformation("A batch of {Count} statements was refused ({SqlState}: {Reason}); retrying them one by one",
                batch.Count, e.SqlState, e.MessageText);
            foreach (var pending in batch)
            {
                try
                {
                    await ExecuteAsync([pending]).ConfigureAwait(false);
                }
                catch (Exception one)
                {
                    pending.Fail(one);
                }
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Fail(e);
            }
        }
    }

    /// <summary>The units ordered by their lock key (ordinal; keyless first); units with equal keys keep their order.</summary>
    internal static List<TUnit> InLockOrder<TUnit>(List<TUnit> units, Func<TUnit, string?> key) =>
        units.Count < 2 ? units : [.. units.OrderBy(key, StringComparer.Ordinal)];

    /// <summary>Runs the units as one batch; completes their callers only once the whole batch committed.</summary>
    private async Task ExecuteAsync(List<IPending> units)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var npgsqlBatch = new NpgsqlBatch(connection);
        var counts = new int[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            var commands = units[i].CreateCommands();
            counts[i] = commands.Count;
            foreach (var command in commands)
            {
                npgsqlBatch.BatchCommands.Add(command);
            }
        }

        var read = new List<Action>(units.Count);
        await using (var reader = await npgsqlBatch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
        {
            for (var i = 0; i < units.Count; i++)
            {
                if (i > 0 && !await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("A batched command returned no result set: every command of a unit must return one.");
                }

                var results = new BatchResults(reader, counts[i]);
                read.Add(await units[i].ReadAsync(results).ConfigureAwait(false));
                await results.SkipRestAsync(CancellationToken.None).ConfigureAwait(false);
            }

            // Consume to the end: an error of a later statement (or of the implicit commit) surfaces here.
            while (await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false))
            {
            }
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _units, units.Count);
        foreach (var complete in read)
        {
            complete();
        }
    }

    private interface IPending
    {
        string? LockKey { get; }

        IReadOnlyList<NpgsqlBatchCommand> CreateCommands();

        /// <summary>Reads the unit's results; the returned action completes its caller (run after the commit).</summary>
        Task<Action> ReadAsync(BatchResults results);

        void Fail(Exception e);
    }

    private sealed class Pending<T>(BatchedStatement<T> statement) : IPending
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? LockKey => statement.LockKey;

        public IReadOnlyList<NpgsqlBatchCommand> CreateCommands() => statement.CreateCommands();

        public async Task<Action> ReadAsync(BatchResults results)
        {
            var value = await statement.ReadAsync(results, CancellationToken.None).ConfigureAwait(false);
            return () => Completion.TrySetResult(value);
        }

        public void Fail(Exception e) => Completion.TrySetException(e);
    }
}
