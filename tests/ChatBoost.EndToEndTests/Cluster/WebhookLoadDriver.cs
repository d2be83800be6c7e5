using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ChatBoost.WhatsApp;

namespace ChatBoost.EndToEndTests.Cluster;

/// <summary>One inbound message the driver delivers, and what happened to each of its attempts.</summary>
public sealed class DrivenMessage(string wamid, string phoneNumberId, string from, byte[] body)
{
    private readonly Lock _gate = new();
    private readonly List<int> _statuses = [];

    public string Wamid { get; } = wamid;

    public string PhoneNumberId { get; } = phoneNumberId;

    public string From { get; } = from;

    public byte[] Body { get; } = body;

    /// <summary>The longest single attempt (the bound: no webhook takes longer than 10 s).</summary>
    public TimeSpan LongestAttempt { get; private set; }

    public bool Acknowledged { get; private set; }

    /// <summary>HTTP status of every attempt; 0 for a broken connection or a client-side timeout.</summary>
    public IReadOnlyList<int> Statuses
    {
        get
        {
            lock (_gate)
            {
                return [.. _statuses];
            }
        }
    }

    public void Record(int status, TimeSpan took)
    {
        lock (_gate)
        {
            _statuses.Add(status);
            LongestAttempt = took > LongestAttempt ? took : LongestAttempt;
            Acknowledged |= status == 200;
        }
    }
}

/// <summary>
/// Steady signed webhook traffic, like Meta's: every message is a new customer writing to one of the bots' numbers,
/// posted round robin to the API processes; a 503, any other 5xx, a broken connection or a slow answer is retried with
/// the same body (the same wamid) on the next API after a pause, as Meta retries, until it is acknowledged or the
/// retry window closes. The driver never retries a 4xx.
/// </summary>
public sealed class WebhookLoadDriver : IAsyncDisposable
{
    /// <summary>A client-side bound well above the 10 s, so a slow answer is measured rather than cut.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<Uri> _apis;
    private readonly IReadOnlyList<string> _phoneNumberIds;
    private readonly string _appSecret;
    private int _perSecond;
    private bool _inClumps;
    private readonly TimeSpan _retryWindow;
    private readonly HttpClient _http;
    private readonly ConcurrentQueue<DrivenMessage> _messages = new();
    private readonly ConcurrentBag<Task> _deliveries = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly string _prefix = Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
    private Task? _loop;
    private int _next;
    private int _responses503;
    private int _responses503WithoutRetryAfter;
    private int _responsesOther5xx;
    private int _brokenConnections;

    public WebhookLoadDriver(IReadOnlyList<Uri> apis, IReadOnlyList<string> phoneNumberIds, string appSecret, int perSecond, TimeSpan retryWindow)
    {
        _apis = apis;
        _phoneNumberIds = phoneNumberIds;
        _appSecret = appSecret;
        _perSecond = perSecond;
        _retryWindow = retryWindow;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = AttemptTimeout,
        };
    }

    public IReadOnlyCollection<DrivenMessage> Messages => _messages;

    public int Responses503 => _responses503;

    /// <summary>503 answers without a Retry-After header: Meta would retry them on its own schedule, not ours.</summary>
    public int Responses503WithoutRetryAfter => _responses503WithoutRetryAfter;

    public int ResponsesOther5xx => _responsesOther5xx;

    public int BrokenConnections => _brokenConnections;

    /// <summary>API indexes the driver must not use (a test stopping one on purpose still lets Meta's retries find it).</summary>
    public ConcurrentDictionary<int, bool> Avoid { get; } = new();

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>
    /// Changes the rate of new messages from the next one on (a burst, then back). <paramref name="inClumps"/>: each
    /// second's messages are all sent at its start, as a spike of deliveries arrives, instead of spread over it; on a fast
    /// machine spread messages are answered before the next one comes, so only clumps are sure to meet a full limiter.
    /// </summary>
    public void SetRate(int perSecond, bool inClumps = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        Volatile.Write(ref _inClumps, inClumps);
        Volatile.Write(ref _perSecond, perSecond);
    }

    /// <summary>Stops sending new messages, then waits for every message's retries to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        await Task.WhenAll(_deliveries);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var due = TimeSpan.Zero;
        var inThisClump = 0;
        for (long sent = 0; !_stop.IsCancellationRequested; sent++)
        {
            if (due > clock.Elapsed)
            {
                try
                {
                    await Task.Delay(due - clock.Elapsed, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            var message = NewMessage(sent);
            _messages.Enqueue(message);
            _deliveries.Add(Task.Run(() => DeliverAsync(message)));
            // Open loop: the next message is due one interval after this one's due time, whatever the answers (in clumps:
            // at this one's due time, until the second's count is sent, then a second later).
            var perSecond = Volatile.Read(ref _perSecond);
            if (!Volatile.Read(ref _inClumps))
            {
                inThisClump = 0;
                due += TimeSpan.FromSeconds(1.0 / perSecond);
            }
            else if (++inThisClump >= perSecond)
            {
                inThisClump = 0;
                due += TimeSpan.FromSeconds(1);
            }
        }
    }

    private DrivenMessage NewMessage(long sequence)
    {
        var phoneNumberId = _phoneNumberIds[(int)(sequence % _phoneNumberIds.Count)];
        var from = "49" + _prefix + (1_000_000 + sequence).ToString(CultureInfo.InvariantCulture);
        var wamid = "wamid.cluster." + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = "cluster-waba",
                ["changes"] = new JsonArray(new JsonObject
                {
                    ["field"] = "messages",
                    ["value"] = new JsonObject
                    {
                        ["messaging_product"] = "whatsapp",
                        ["metadata"] = new JsonObject { ["display_phone_number"] = "15550001234", ["phone_number_id"] = phoneNumberId },
                        ["contacts"] = new JsonArray(new JsonObject { ["profile"] = new JsonObject { ["name"] = "Load " + sequence }, ["wa_id"] = from }),
                        ["messages"] = new JsonArray(new JsonObject
                        {
                            ["from"] = from,
                            ["id"] = wamid,
                            ["timestamp"] = now,
                            ["type"] = "text",
                            ["text"] = new JsonObject { ["body"] = "hello" },
                        }),
                    },
                }),
            }),
        };
        return new DrivenMessage(wamid, phoneNumberId, from, Encoding.UTF8.GetBytes(payload.ToJsonString()));
    }

    private async Task DeliverAsync(DrivenMessage message)
    {
        var until = DateTime.UtcNow + _retryWindow;
        var api = Interlocked.Increment(ref _next);
        while (true)
        {
            var target = NextApi(ref api);
            var started = Stopwatch.GetTimestamp();
            var status = await PostAsync(target, message.Body);
            message.Record(status, Stopwatch.GetElapsedTime(started));
            if (status is 200 or (>= 400 and < 500))
            {
                return;
            }

            _ = status switch
            {
                503 => Interlocked.Increment(ref _responses503),
                0 => Interlocked.Increment(ref _brokenConnections),
                _ => Interlocked.Increment(ref _responsesOther5xx),
            };
            if (DateTime.UtcNow > until)
            {
                return;
            }

            await Task.Delay(RetryPause);
            api++;
        }
    }

    private Uri NextApi(ref int api)
    {
        for (var i = 0; i < _apis.Count; i++)
        {
            var index = (api + i) % _apis.Count;
            if (!Avoid.ContainsKey(index))
            {
                api += i;
                return _apis[index];
            }
        }

        return _apis[api % _apis.Count];
    }

    private async Task<int> PostAsync(Uri api, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "/whatsapp/webhook")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(body, _appSecret));
        try
        {
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
            {
                Interlocked.Increment(ref _responses503WithoutRetryAfter);
            }

            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }
}
