namespace ChatBoost.FakeGraphApi;

/// <summary>
/// Holds the answers of the next N accepted sends until released (<c>/_fake/hold-sends</c>, <c>/_fake/release-sends</c>):
/// how a test makes a send's answer late (the client times out: in doubt) while Meta — the fake — still accepts it.
/// Also remembers each accepted send's <c>biz_opaque_callback_data</c> by wamid, so status webhooks can echo it.
/// </summary>
public sealed class SendHolds
{
    private const int MaxCallbacks = 100_000;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _callbackData = new(StringComparer.Ordinal);
    private TaskCompletionSource _release = NewRelease();
    private int _toHold;
    private int _held;

    /// <summary>Sends whose answer is waiting for a release right now.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    public void HoldNext(int count)
    {
        lock (_gate)
        {
            _toHold = Math.Max(0, count);
        }
    }

    /// <summary>Answers every held send and stops holding new ones.</summary>
    public int ReleaseAll()
    {
        lock (_gate)
        {
            var released = _held;
            _toHold = 0;
            _release.TrySetResult();
            _release = NewRelease();
            return released;
        }
    }

    /// <summary>If this send is one to hold, waits (ignoring the client's abort: the fake has the message) for the release.</summary>
    public async Task WaitIfHeldAsync()
    {
        Task release;
        lock (_gate)
        {
            if (_toHold == 0)
            {
                return;
            }

            _toHold--;
            _held++;
            release = _release.Task;
        }

        try
        {
            await release.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _held--;
            }
        }
    }

    public void RememberCallback(string wamid, string? callbackData)
    {
        if (callbackData is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_callbackData.Count >= MaxCallbacks)
            {
                _callbackData.Clear();
            }

            _callbackData[wamid] = callbackData;
        }
    }

    public string? CallbackOf(string wamid)
    {
        lock (_gate)
        {
            return _callbackData.GetValueOrDefault(wamid);
        }
    }

    public void Reset()
    {
        ReleaseAll();
        lock (_gate)
        {
            _callbackData.Clear();
        }
    }

    private static TaskCompletionSource NewRelease() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
