using System.Diagnostics;
using System.Threading.Channels;
using ChatBoost.Grains.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>
/// The per-silo writer of inbound messages: many grains' records are committed by one multi-row
/// <c>INSERT … ON CONFLICT DO NOTHING</c>, and each caller's task completes only when its batch has committed.
/// </summary>
/// <remarks>
/// <para>
/// A bounded channel feeds a single consumer loop. The loop takes what is queued, waits up to
/// <see cref="BatchingMessageWriterOptions.Linger"/> after the first record for more (up to
/// <see cref="BatchingMessageWriterOptions.MaxBatch"/>), then sends the batch as column arrays through <c>unnest</c>:
/// one statement text whatever the batch size, one round trip, one commit (one WAL flush) for the whole batch.
/// While a batch is in flight the next one fills, so batches grow with load and stay small when idle.
/// </para>
/// <para>
/// De-duplication is the table's unique key (bot_id, wa_message_id): a wamid already stored, by this silo or
/// another, comes back as <see cref="RecordOutcome.Duplicate"/>. Records repeated inside one batch are collapsed
/// before the insert; the first gets the row's outcome and the others <see cref="RecordOutcome.Duplicate"/> once
/// the row has committed. <see cref="RecordOutcome.Duplicate"/> therefore also means "durable".
/// </para>
/// <para>
/// Failure: if the batch's statement fails, every caller in it gets the exception: none is told its message
/// is recorded. A data error (SQLSTATE class 22 or 23, e.g. a payload PostgreSQL rejects) is the exception: the
/// batch is retried record by record, so only the offending record's caller fails. The loop keeps running.
/// </para>
/// <para>
/// Stop drains: the channel is closed to new records (callers get <see cref="InvalidOperationException"/>),
/// everything already queued is committed, then the loop ends. (A plain <see cref="IHostedService"/>, not a
/// BackgroundService: the latter starts its loop with the stopping token, so a stop that comes before the loop has
/// been scheduled would cancel it and strand the records already queued.) Register the writer before Orleans so that it
/// stops after the silo's grains (hosted services stop in reverse order).
/// </para>
/// </remarks>
public sealed class BatchingMessageWriter : IHostedService
{
    private const string InsertSql = """
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text,
                              payload, status, status_rank, wa_timestamp, reply_id, profile_name, from_user_id, username)
        SELECT r.bot_id, r.organization_id, r.contact_wa_id, 'inbound', r.wa_message_id, r.message_type, r.text,
               r.payload::jsonb, 'received', 0, r.wa_timestamp, r.reply_id, r.profile_name, r.from_user_id, r.username
        FROM unnest(@bot_ids, @organization_ids, @contact_wa_ids, @wa_message_ids, @message_types, @texts, @payloads,
                    @wa_timestamps, @reply_ids, @profile_names, @from_user_ids, @usernames)
             AS r(bot_id, organization_id, contact_wa_id, wa_message_id, message_type, text, payload, wa_timestamp,
                  reply_id, profile_name, from_user_id, username)
        ON CONFLICT (bot_id, wa_message_id) DO NOTHING
        RETURNING bot_id, wa_message_id
        """;

    private readonly Database _database;
    private readonly BatchingMessageWriterOptions _options;
    private readonly ILogger<BatchingMessageWriter> _logger;
    private readonly Channel<Pending> _channel;
    private long _batches;
    private long _records;
    private long _failedBatches;
    private volatile bool _running;
    private Task? _loop;

    public BatchingMessageWriter(Database database, IOptions<BatchingMessageWriterOptions> options, ILogger<BatchingMessageWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _options = options.Value;
        _logger = logger;
        var problems = _options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(BatchingMessageWriterOptions), typeof(BatchingMessageWriterOptions), problems);
        }

        _channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.Capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Round trips that committed a batch (each is one INSERT statement).</summary>
    public long BatchesCommitted => Interlocked.Read(ref _batches);

    /// <summary>Records whose batch committed (inserted or duplicate).</summary>
    public long RecordsCommitted => Interlocked.Read(ref _records);

    /// <summary>Batches whose statement failed (their callers got the exception).</summary>
    public long BatchesFailed => Interlocked.Read(ref _failedBatches);

    /// <summary>
    /// Records an inbound message durably. Returns once the row is committed (<see cref="RecordOutcome.Inserted"/>)
    /// or found already committed (<see cref="RecordOutcome.Duplicate"/>); throws if it could not be recorded.
    /// Cancelling stops the wait, not necessarily the write: the caller must then treat the message as not recorded
    /// (Meta retries, and the retry is a harmless duplicate).
    /// </summary>
    /// <exception cref="ArgumentException">The record breaks the table's constraints.</exception>
    /// <exception cref="MessageStoreOverloadedException">The queue stayed full for the enqueue timeout.</exception>
    /// <exception cref="InvalidOperationException">The writer is not running (not started, or stopping).</exception>
    public async Task<RecordOutcome> RecordInboundAsync(InboundRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Validate();
        if (!_running)
        {
            throw new InvalidOperationException(
                "The message writer is not running: register it with AddChatBoostMessageStore and start the host.");
        }

        var pending = new Pending(record);
        if (!_channel.Writer.TryWrite(pending))
        {
            await EnqueueSlowAsync(pending, cancellationToken).ConfigureAwait(false);
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the loop runs and takes records (readiness: false before start, after stop, or if the loop broke).</summary>
    public bool IsRunning => _running && _loop is { IsCompleted: false };

    /// <summary>Starts the consumer loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The message writer is already started.");
        }

        // Not tied to any token: once started, the loop runs until the channel is completed and drained.
        // Its task is observed by StopAsync (and the loop logs and fails callers itself if it ever breaks).
        _running = true;
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Refuses new records, commits everything already queued, then returns (or when <paramref name="cancellationToken"/> fires).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        _channel.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync()
    {
        // Stopping completes the channel; the loop ends once everything queued is committed.
        var reader = _channel.Reader;
        var batch = new List<Pending>(_options.MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                await FillAsync(reader, batch).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    await CommitAsync(batch).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            // Not expected (CommitAsync handles database errors). Fail whoever is waiting; later callers are refused.
            _running = false;
            _channel.Writer.TryComplete(e);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }

            while (reader.TryRead(out var pending))
            {
                pending.Completion.TrySetException(e);
            }

            _logger.LogCritical(e, "The message writer loop failed; inbound messages cannot be recorded on this silo");
        }
    }

    private async Task EnqueueSlowAsync(Pending pending, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.EnqueueTimeout);
        try
        {
            await _channel.Writer.WriteAsync(pending, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MessageStoreOverloadedException(
                $"The message writer's queue ({_options.Capacity} records) stayed full for {_options.EnqueueTimeout.TotalMilliseconds:0} ms.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The message writer is stopping; the message was not recorded.");
        }
    }

    private async Task FillAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        var max = _options.MaxBatch;
        while (batch.Count < max && reader.TryRead(out var first))
        {
            batch.Add(first);
        }

        if (batch.Count >= max || _options.Linger <= TimeSpan.Zero)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(_options.Linger.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < max)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var linger = new CancellationTokenSource(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(linger.Token).ConfigureAwait(false))
                {
                    return; // completed: commit what we have
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        // Collapse repeats inside the batch: the first of each (bot, wamid) goes to the database.
        var firsts = new List<Pending>(batch.Count);
        var byKey = new Dictionary<(long, string), Pending>(batch.Count);
        foreach (var pending in batch)
        {
            if (byKey.TryGetValue(pending.Key, out var first))
            {
                (first.Repeats ??= []).Add(pending);
            }
            else
            {
                byKey.Add(pending.Key, pending);
                firsts.Add(pending);
            }
        }

        try
        {
            var inserted = await InsertAsync(firsts).ConfigureAwait(false);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _records, batch.Count);
            foreach (var first in firsts)
            {
                first.Complete(inserted.Contains(first.Key) ? RecordOutcome.Inserted : RecordOutcome.Duplicate);
            }
        }
        catch (PostgresException e) when (firsts.Count > 1 && IsDataError(e))
        {
            Interlocked.Increment(ref _failedBatches);
            _logger.LogWarning(
                "A batch of {Count} messages was refused ({SqlState}: {Reason}); retrying them one by one",
                firsts.Count,
                e.SqlState,
                e.MessageText);
            foreach (var first in firsts)
            {
                await CommitOneAsync(first).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedBatches);
            _logger.LogError(e, "A batch of {Count} messages could not be recorded", batch.Count);
            foreach (var first in firsts)
            {
                first.Fail(e);
            }
        }
    }

    private async Task CommitOneAsync(Pending record)
    {
        try
        {
            var inserted = await InsertAsync([record]).ConfigureAwait(false);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _records, 1 + (record.Repeats?.Count ?? 0));
            record.Complete(inserted.Count == 1 ? RecordOutcome.Inserted : RecordOutcome.Duplicate);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedBatches);
            _logger.LogError(e, "Message {WaMessageId} of bot {BotId} could not be recorded", record.Record.WaMessageId, record.Record.BotId);
            record.Fail(e);
        }
    }

    private async Task<HashSet<(long, string)>> InsertAsync(List<Pending> records)
    {
        var count = records.Count;
        var botIds = new long[count];
        var organizationIds = new long[count];
        var contactWaIds = new string[count];
        var waMessageIds = new string[count];
        var messageTypes = new string[count];
        var texts = new string?[count];
        var payloads = new string?[count];
        var waTimestamps = new DateTime?[count];
        var replyIds = new string?[count];
        var profileNames = new string?[count];
        var fromUserIds = new string?[count];
        var usernames = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var r = records[i].Record;
            botIds[i] = r.BotId;
            organizationIds[i] = r.OrganizationId;
            contactWaIds[i] = r.ContactWaId;
            waMessageIds[i] = r.WaMessageId;
            messageTypes[i] = r.MessageType;
            texts[i] = r.Text;
            payloads[i] = r.PayloadJson;
            waTimestamps[i] = r.WaTimestamp?.UtcDateTime;
            replyIds[i] = r.ReplyId;
            profileNames[i] = r.ProfileName;
            fromUserIds[i] = r.FromUserId;
            usernames[i] = r.Username;
        }

        await using var command = _database.DataSource.CreateCommand(InsertSql);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<long[]>("bot_ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = botIds });
        parameters.Add(new NpgsqlParameter<long[]>("organization_ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = organizationIds });
        parameters.Add(new NpgsqlParameter<string[]>("contact_wa_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = contactWaIds });
        parameters.Add(new NpgsqlParameter<string[]>("wa_message_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = waMessageIds });
        parameters.Add(new NpgsqlParameter<string[]>("message_types", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = messageTypes });
        parameters.Add(new NpgsqlParameter<string?[]>("texts", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = texts });
        parameters.Add(new NpgsqlParameter<string?[]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = payloads });
        parameters.Add(new NpgsqlParameter<DateTime?[]>("wa_timestamps", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = waTimestamps });
        parameters.Add(new NpgsqlParameter<string?[]>("reply_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = replyIds });
        parameters.Add(new NpgsqlParameter<string?[]>("profile_names", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = profileNames });
        parameters.Add(new NpgsqlParameter<string?[]>("from_user_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = fromUserIds });
        parameters.Add(new NpgsqlParameter<string?[]>("usernames", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = usernames });

        var inserted = new HashSet<(long, string)>(count);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            inserted.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return inserted;
    }

    /// <summary>SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): the data, not the database.</summary>
    private static bool IsDataError(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    private sealed class Pending(InboundRecord record)
    {
        public InboundRecord Record { get; } = record;

        public (long, string) Key { get; } = (record.BotId, record.WaMessageId);

        // Continuations run asynchronously: the loop never runs a grain's code inline.
        public TaskCompletionSource<RecordOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Later records of the same (bot, wamid) in the same batch.</summary>
        public List<Pending>? Repeats { get; set; }

        public void Complete(RecordOutcome outcome)
        {
            Completion.TrySetResult(outcome);
            foreach (var repeat in Repeats ?? [])
            {
                repeat.Completion.TrySetResult(RecordOutcome.Duplicate);
            }
        }

        public void Fail(Exception e)
        {
            Completion.TrySetException(e);
            foreach (var repeat in Repeats ?? [])
            {
                repeat.Completion.TrySetException(e);
            }
        }
    }
}
