using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatBoost.FakeGraphApi;

namespace ChatBoost.Bench.Conversation;

/// <summary>One customer's conversation as the fake Graph API saw it: the reply's arrival and its three status webhooks.</summary>
internal sealed class TrackedConversation
{
    /// <summary>When the fake recorded the first accepted send to this customer (its own request time); null: none yet.</summary>
    public DateTimeOffset? ReplyAt { get; set; }

    public int Replies { get; set; }

    /// <summary>Status webhooks (of the three) the API did not answer 200 (0 = could not connect), or -1 if /_fake/status failed.</summary>
    public int StatusErrors { get; set; }

    /// <summary>How long the three status webhooks took, one after the other, as Meta posts them.</summary>
    public double StatusMs { get; set; }

    public bool StatusesPosted { get; set; }
}

/// <summary>
/// Watches the in-process fake's request log for the replies (sends to a tracked customer), and for each first reply
/// has the fake post its three status webhooks — sent, delivered, read — signed, to the API (<c>POST /_fake/status</c>),
/// as Meta does once it has the message. Polls every 20 ms until disposed.
/// </summary>
internal sealed class ReplyWatcher : IAsyncDisposable
{
    private const int PollLimit = 10_000;
    private const int MaxStatusPostsInFlight = 4096;
    private const int StatusesPerReply = 3;

    private readonly FakeGraphState _state;
    private readonly string _phoneNumberId;
    private readonly HttpClient _fake;
    private readonly string _webhookUrl;
    private readonly string _appSecret;
    private readonly ConcurrentDictionary<string, TrackedConversation> _byWaId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _sendFailures = new();
    private readonly SemaphoreSlim _statusSlots = new(MaxStatusPostsInFlight);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private long _lastSequence;
    private long _statusPostsInFlight;

    public ReplyWatcher(FakeGraphState state, string phoneNumberId, HttpClient fake, Uri webhookUrl, string appSecret)
    {
        _state = state;
        _phoneNumberId = phoneNumberId;
        _fake = fake;
        _webhookUrl = webhookUrl.ToString();
        _appSecret = appSecret;
        _loop = Task.Run(PollAsync);
    }

    /// <summary>Accepted sends to nobody the benchmark wrote as (should stay 0).</summary>
    public long UnknownReplies { get; private set; }

    /// <summary>Accepted sends beyond the first to the same customer (should stay 0: one reply per conversation).</summary>
    public long DuplicateReplies { get; private set; }

    /// <summary>Polls that may have missed requests (more than 10,000 new ones since the last poll).</summary>
    public long PossiblyMissed { get; private set; }

    /// <summary>Sends the fake refused, by Meta error code (130429 = over the number's rate).</summary>
    public IReadOnlyDictionary<int, long> SendFailures => _sendFailures;

    public long StatusPostsInFlight => Interlocked.Read(ref _statusPostsInFlight);

    public TrackedConversation Track(string waId) => _byWaId.GetOrAdd(waId, _ => new TrackedConversation());

    /// <summary>Waits until no status webhook is being posted, at most <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForStatusesAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (StatusPostsInFlight > 0)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _statusSlots.Dispose();
    }

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Poll();
            try
            {
                await Task.Delay(20, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Poll();
    }

    private void Poll()
    {
        var requests = _state.Requests(_phoneNumberId, null, PollLimit);
        if (requests.Count == PollLimit && requests[0].Sequence > _lastSequence + 1 && _lastSequence > 0)
        {
            PossiblyMissed++;
        }

        foreach (var request in requests)
        {
            if (request.Sequence <= _lastSequence)
            {
                continue;
            }

            _lastSequence = request.Sequence;
            if (request.Method != "POST" || !request.Path.EndsWith("/messages", StringComparison.Ordinal) || request.To is null)
            {
                continue;
            }

            if (request.HttpStatus != 200)
            {
                _sendFailures.AddOrUpdate(request.ErrorCode ?? request.HttpStatus, 1, (_, n) => n + 1);
                continue;
            }

            var waId = FakeGraphState.Digits(request.To);
            if (!_byWaId.TryGetValue(waId, out var conversation))
            {
                UnknownReplies++;
                continue;
            }

            lock (_gate)
            {
                conversation.Replies++;
                if (conversation.ReplyAt is not null)
                {
                    DuplicateReplies++;
                    continue;
                }

                conversation.ReplyAt = request.Time;
            }

            if (Wamid(request.Response) is { } wamid)
            {
                Interlocked.Increment(ref _statusPostsInFlight);
                _ = PostStatusesAsync(conversation, wamid, waId);
            }
        }
    }

    private async Task PostStatusesAsync(TrackedConversation conversation, string wamid, string waId)
    {
        await _statusSlots.WaitAsync().ConfigureAwait(false);
        var began = Stopwatch.GetTimestamp();
        var errors = 0;
        try
        {
            using var response = await _fake.PostAsJsonAsync(new Uri("/_fake/status", UriKind.Relative), new JsonObject
            {
                ["webhook_url"] = _webhookUrl,
                ["app_secret"] = _appSecret,
                ["phone_number_id"] = _phoneNumberId,
                ["wamid"] = wamid,
                ["recipient_id"] = waId,
                ["statuses"] = new JsonArray("sent", "delivered", "read"),
            }).ConfigureAwait(false);
            var results = response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonObject>().ConfigureAwait(false))?["results"] as JsonArray
                : null;
            errors = results is null ? -1 : results.Count(r => r?["http_status"]?.GetValue<int>() != 200) + (StatusesPerReply - results.Count);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            errors = -1;
        }
        finally
        {
            lock (_gate)
            {
                conversation.StatusErrors = errors;
                conversation.StatusMs = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                conversation.StatusesPosted = true;
            }

            _statusSlots.Release();
            Interlocked.Decrement(ref _statusPostsInFlight);
        }
    }

    /// <summary>The wamid the fake answered the send with: <c>{"messages":[{"id":"wamid…"}]}</c>.</summary>
    private static string? Wamid(string? response)
    {
        if (response is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(response)?["messages"]?[0]?["id"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
