using ChatBoost.WhatsApp;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace ChatBoost.Bench.Conversation;

/// <summary>What one POST of a run got: its scheduled time, its answer (-1: connection error or timeout) and when.</summary>
internal struct Shot
{
    /// <summary>When the request was due, on the run's clock (Stopwatch ticks from <see cref="DriverRun.StartedAt"/>).</summary>
    public long ScheduledTicks;

    public int Status;

    /// <summary>Ack latency measured from <see cref="ScheduledTicks"/> (open loop: a slow server is not hidden).</summary>
    public long AckTicks;
}

/// <summary>One run's shots and the wall-clock instant its clock started, to compare with the fake's request times.</summary>
internal sealed record DriverRun(Shot[] Shots, DateTimeOffset StartedAt, double SendSeconds)
{
    public DateTimeOffset ScheduledAt(int i) => StartedAt + TimeSpan.FromSeconds((double)Shots[i].ScheduledTicks / Stopwatch.Frequency);
}

/// <summary>
/// POSTs signed webhooks at a fixed rate (open loop), the pattern of bench/webhook's RateDriver: request i is due at
/// i / rate seconds, is sent when due whatever the earlier ones are doing, and its latency counts from the due time.
/// Also a closed loop (N connections, as fast as answered) for the floor's maximum.
/// </summary>
internal sealed class OpenLoopDriver(HttpClient client)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public async Task<DriverRun> RunAsync(Uri url, IReadOnlyList<SignedWebhook> webhooks, double rate, Action<int>? beforeSend = null)
    {
        var total = webhooks.Count;
        var shots = new Shot[total];
        var tasks = new Task[total];
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var next = 0;
        while (next < total)
        {
            var due = (int)Math.Min(total, (clock.ElapsedTicks / ticksPerRequest) + 1);
            for (; next < due; next++)
            {
                shots[next].ScheduledTicks = (long)(next * ticksPerRequest);
                beforeSend?.Invoke(next);
                tasks[next] = SendAsync(url, webhooks[next], shots, next, clock);
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        var sendSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new DriverRun(shots, startedAt, sendSeconds);
    }

    /// <summary>Closed loop: <paramref name="connections"/> workers POST one after the other for the given time.</summary>
    public async Task<(long Ok, long Errors, double Seconds, double[] LatenciesMs)> MaximumAsync(
        Uri url, IReadOnlyList<SignedWebhook> webhooks, int connections, double seconds)
    {
        var clock = Stopwatch.StartNew();
        var end = (long)(seconds * Stopwatch.Frequency);
        long ok = 0, errors = 0, cursor = -1;
        var latencies = new List<double>[connections];
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.ElapsedTicks < end)
            {
                var webhook = webhooks[(int)(Interlocked.Increment(ref cursor) % webhooks.Count)];
                var began = clock.ElapsedTicks;
                var status = await PostAsync(url, webhook).ConfigureAwait(false);
                mine.Add((clock.ElapsedTicks - began) * 1000.0 / Stopwatch.Frequency);
                _ = status == 200 ? Interlocked.Increment(ref ok) : Interlocked.Increment(ref errors);
            }
        })).ConfigureAwait(false);
        return (ok, errors, clock.Elapsed.TotalSeconds, [.. latencies.SelectMany(l => l)]);
    }

    private async Task SendAsync(Uri url, SignedWebhook webhook, Shot[] shots, int i, Stopwatch clock)
    {
        var status = await PostAsync(url, webhook).ConfigureAwait(false);
        shots[i].Status = status;
        shots[i].AckTicks = clock.ElapsedTicks - shots[i].ScheduledTicks;
    }

    private async Task<int> PostAsync(Uri url, SignedWebhook webhook)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(webhook.Body) };
            request.Content.Headers.ContentType = JsonType;
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, webhook.Signature);
            using var response = await client.SendAsync(request).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }
}
