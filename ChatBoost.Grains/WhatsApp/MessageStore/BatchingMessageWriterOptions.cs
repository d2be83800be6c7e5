namespace ChatBoost.Grains.WhatsApp.MessageStore;

/// <summary>Tuning of <see cref="BatchingMessageWriter"/>. The defaults are what bench/MessageWriterBench measured best here.</summary>
public sealed class BatchingMessageWriterOptions
{
    /// <summary>Most records committed by one round trip.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>
    /// How long the writer waits after the first record of a batch for more to arrive. Under load batches fill while the
    /// previous round trip is in flight, so this only shapes the idle case; zero commits whatever is already queued.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Records queued but not yet committed. When full, callers wait (see <see cref="EnqueueTimeout"/>).</summary>
    public int Capacity { get; set; } = 4096;

    /// <summary>
    /// The longest a caller waits for room in a full queue before <see cref="MessageStoreOverloadedException"/>
    /// (the webhook then answers 5xx and Meta retries later).
    /// </summary>
    public TimeSpan EnqueueTimeout { get; set; } = TimeSpan.FromSeconds(2);

    internal IEnumerable<string> Problems()
    {
        if (MaxBatch is < 1 or > 10_000)
        {
            yield return $"{nameof(MaxBatch)} must be 1 to 10000.";
        }

        if (Linger < TimeSpan.Zero || Linger > TimeSpan.FromSeconds(1))
        {
            yield return $"{nameof(Linger)} must be 0 to 1 s.";
        }

        if (Capacity < MaxBatch)
        {
            yield return $"{nameof(Capacity)} must be at least {nameof(MaxBatch)}.";
        }

        if (EnqueueTimeout <= TimeSpan.Zero)
        {
            yield return $"{nameof(EnqueueTimeout)} must be positive.";
        }
    }
}

/// <summary>The writer's queue stayed full for <see cref="BatchingMessageWriterOptions.EnqueueTimeout"/>: the database is behind.</summary>
public sealed class MessageStoreOverloadedException(string message) : Exception(message);
