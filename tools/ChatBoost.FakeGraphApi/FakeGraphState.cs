namespace ChatBoost.FakeGraphApi;

/// <summary>A failure the next sends of a phone number (or of any, when <see cref="PhoneNumberId"/> is null) will return.</summary>
public sealed record InjectedFailure(string? PhoneNumberId, int HttpStatus, int Code, string? Message, string? Details);

public sealed record StoredMedia(string Id, string MimeType, byte[] Content, string Sha256);

/// <summary>A business phone number the fake knows, and the access tokens whose business may use it.</summary>
public sealed record RegisteredPhoneNumber(string Id, string DisplayPhoneNumber, string VerifiedName, IReadOnlySet<string> AccessTokens);

/// <summary>One Graph API call as the fake saw it; the bearer token is reduced to its last four characters.</summary>
public sealed record RecordedRequest(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    string? PhoneNumberId,
    string? To,
    bool AuthorizationPresent,
    string? TokenLast4,
    IReadOnlyDictionary<string, string> Headers,
    string? Body,
    int HttpStatus,
    int? ErrorCode,
    string? Response);

/// <summary>All in-memory state of the fake, behind one lock. Every collection is bounded.</summary>
public sealed class FakeGraphState(FakeGraphOptions options)
{
    private const int MaxCustomerWindows = 100_000;
    private const long MaxMediaBytes = 64L * 1024 * 1024;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentSends = new(StringComparer.Ordinal);
    private readonly Dictionary<(string PhoneNumberId, string WaId), DateTimeOffset> _lastCustomerMessage = [];
    private readonly List<(InjectedFailure Failure, int Remaining)> _failures = [];
    private readonly LinkedList<StoredMedia> _media = new();
    private readonly LinkedList<RecordedRequest> _requests = new();
    private readonly Dictionary<string, RegisteredPhoneNumber> _phoneNumbers = new(StringComparer.Ordinal);
    private long _mediaBytes;
    private long _sequence;

    public FakeGraphOptions Options => options;

    /// <summary>Held send answers and the callback data of accepted sends (its own lock).</summary>
    public SendHolds Holds { get; } = new();

    /// <summary>Admits one send if the phone number sent fewer than the configured rate in the last second.</summary>
    public bool TryAdmitSend(string phoneNumberId, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_recentSends.TryGetValue(phoneNumberId, out var sends))
            {
                _recentSends[phoneNumberId] = sends = new Queue<DateTimeOffset>();
            }

            while (sends.Count > 0 && sends.Peek() <= now - TimeSpan.FromSeconds(1))
            {
                sends.Dequeue();
            }

            if (sends.Count >= options.RatePerSecond)
            {
                return false;
            }

            sends.Enqueue(now);
            return true;
        }
    }

    public void RecordCustomerMessage(string phoneNumberId, string waId, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_lastCustomerMessage.Count >= MaxCustomerWindows)
            {
                _lastCustomerMessage.Clear();
            }

            var key = (phoneNumberId, Digits(waId));
            if (!_lastCustomerMessage.TryGetValue(key, out var previous) || previous < at)
            {
                _lastCustomerMessage[key] = at;
            }
        }
    }

    public bool IsCustomerWindowOpen(string phoneNumberId, string to, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _lastCustomerMessage.TryGetValue((phoneNumberId, Digits(to)), out var last) && now - last < options.CustomerWindow;
        }
    }

    public void InjectFailures(InjectedFailure failure, int count)
    {
        lock (_gate)
        {
            _failures.Add((failure, count));
        }
    }

    public InjectedFailure? TakeFailure(string phoneNumberId)
    {
        lock (_gate)
        {
            var index = _failures.FindIndex(f => f.Failure.PhoneNumberId is null || f.Failure.PhoneNumberId == phoneNumberId);
            if (index < 0)
            {
                return null;
            }

            var (failure, remaining) = _failures[index];
            if (remaining <= 1)
            {
                _failures.RemoveAt(index);
            }
            else
            {
                _failures[index] = (failure, remaining - 1);
            }

            return failure;
        }
    }

    public void AddMedia(StoredMedia media)
    {
        lock (_gate)
        {
            _media.AddLast(media);
            _mediaBytes += media.Content.Length;
            while (_mediaBytes > MaxMediaBytes && _media.First is { } oldest)
            {
                _mediaBytes -= oldest.Value.Content.Length;
                _media.RemoveFirst();
            }
        }
    }

    public StoredMedia? FindMedia(string id)
    {
        lock (_gate)
        {
            return _media.FirstOrDefault(m => m.Id == id);
        }
    }

    public void RegisterPhoneNumber(RegisteredPhoneNumber number)
    {
        lock (_gate)
        {
            if (_phoneNumbers.Count >= MaxCustomerWindows)
            {
                _phoneNumbers.Clear();
            }

            _phoneNumbers[number.Id] = number;
        }
    }

    /// <summary>The number as <paramref name="accessToken"/> sees it: null when it does not exist for that token.</summary>
    public RegisteredPhoneNumber? FindPhoneNumber(string phoneNumberId, string accessToken)
    {
        lock (_gate)
        {
            if (_phoneNumbers.TryGetValue(phoneNumberId, out var number))
            {
                return number.AccessTokens.Contains(accessToken) ? number : null;
            }
        }

        return options.AnyPhoneNumber && phoneNumberId.Length is > 0 and <= 32 && phoneNumberId.All(char.IsAsciiDigit)
            ? new RegisteredPhoneNumber(phoneNumberId, "+1 555-" + phoneNumberId[^Math.Min(4, phoneNumberId.Length)..], "Test Business", new HashSet<string>())
            : null;
    }

    public void Record(Func<long, RecordedRequest> create)
    {
        lock (_gate)
        {
            _requests.AddLast(create(++_sequence));
            while (_requests.Count > options.RequestLogCapacity)
            {
                _requests.RemoveFirst();
            }
        }
    }

    public IReadOnlyList<RecordedRequest> Requests(string? phoneNumberId, string? to, int limit)
    {
        lock (_gate)
        {
            return _requests
                .Where(r => phoneNumberId is null || r.PhoneNumberId == phoneNumberId)
                .Where(r => to is null || (r.To is not null && Digits(r.To) == Digits(to)))
                .TakeLast(limit)
                .ToList();
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }

        Holds.Reset();
    }

    public void Reset()
    {
        lock (_gate)
        {
            _recentSends.Clear();
            _lastCustomerMessage.Clear();
            _failures.Clear();
            _media.Clear();
            _mediaBytes = 0;
            _requests.Clear();
            _phoneNumbers.Clear();
        }
    }

    /// <summary>Meta accepts "+1 555-000" style numbers; compare by digits.</summary>
    public static string Digits(string phone) => new(phone.Where(char.IsAsciiDigit).ToArray());
}
