namespace ChatBoost.Grains.Auth;

/// <summary>
/// Failed-login timestamps in a sliding window. Pure: the caller passes the time, so it is unit-tested
/// without a clock. Keeps at most <c>maxFailures</c> timestamps, so memory stays bounded under attack.
/// </summary>
public sealed class LoginFailureWindow
{
    private const int HardCap = 1_000;
    private readonly Queue<DateTimeOffset> _failures = new();

    public int Count => _failures.Count;

    public void RecordFailure(DateTimeOffset now, TimeSpan window)
    {
        Prune(now, window);
        _failures.Enqueue(now);
        while (_failures.Count > HardCap)
        {
            _failures.Dequeue();
        }
    }

    /// <summary>Null when another attempt is allowed now; else how long until the oldest failure leaves the window.</summary>
    public TimeSpan? RetryAfter(DateTimeOffset now, int maxFailures, TimeSpan window)
    {
        Prune(now, window);
        if (_failures.Count < maxFailures)
        {
            return null;
        }

        // The attempt is allowed again once enough failures have aged out to go below the limit.
        var releasing = _failures.ElementAt(_failures.Count - maxFailures);
        var wait = releasing + window - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
    }

    public void Reset() => _failures.Clear();

    private void Prune(DateTimeOffset now, TimeSpan window)
    {
        while (_failures.Count > 0 && _failures.Peek() <= now - window)
        {
            _failures.Dequeue();
        }
    }
}
