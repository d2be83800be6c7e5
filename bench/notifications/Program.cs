using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ChatBoost.Bench.Notifications;

// Opens S sockets on /ws (one user each, tickets from POST /notifications/ws-ticket), then creates R notifications per
// second for S seconds (POST /notifications/test to a random connected user, open loop) and measures, per notification,
// the time from just before its POST to its frame on the user's socket. Reads the API process's RSS and the CPU of the
// API, the silo, this client and the whole machine from /proc (what is left of the machine's share is mostly PostgreSQL).
var options = Args.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(options.Api), Timeout = TimeSpan.FromSeconds(30) };
var clock = Stopwatch.StartNew();

Console.WriteLine($"users: creating {options.Sockets}");
var users = await BenchUsers.CreateAsync(options.Database, options.Sockets);
var tokens = users.Select(u => BenchUsers.Token(u, options.SecretKey)).ToArray();
var rssBefore = Proc.RssBytes(options.ApiPid);

var latencies = new ConcurrentBag<double>();
var received = 0L;
var sockets = new ClientWebSocket[users.Length];
var readers = new List<Task>();
var gate = new SemaphoreSlim(32);
var opening = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, users.Length).Select(async i =>
{
    await gate.WaitAsync();
    try
    {
        using var ticketRequest = new HttpRequestMessage(HttpMethod.Post, "/notifications/ws-ticket");
        ticketRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[i]);
        using var response = await http.SendAsync(ticketRequest);
        response.EnsureSuccessStatusCode();
        var ticket = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"{options.Api.Replace("http", "ws", StringComparison.Ordinal)}/ws?ticket={Uri.EscapeDataString(ticket)}"), CancellationToken.None);
        sockets[i] = socket;
        lock (readers)
        {
            readers.Add(ReadAsync(socket));
        }
    }
    finally
    {
        gate.Release();
    }
}));
Console.WriteLine($"sockets: {sockets.Length} open in {opening.Elapsed.TotalSeconds:F1} s");
GC.Collect();
await Task.Delay(TimeSpan.FromSeconds(3));
var rssIdle = Proc.RssBytes(options.ApiPid);
Console.WriteLine($"API RSS: {rssBefore / 1048576.0:F0} MB before, {rssIdle / 1048576.0:F0} MB with the sockets open: {(rssIdle - rssBefore) / 1024.0 / sockets.Length:F1} KB per idle socket");

var sent = 0L;
var failed = 0L;
var cpuBefore = Proc.CpuSeconds(options.ApiPid);
var siloCpuBefore = Proc.CpuSeconds(options.SiloPid);
var ownCpuBefore = Proc.CpuSeconds(Environment.ProcessId);
var machineBefore = Proc.MachineTicks();
var run = Stopwatch.StartNew();
var inflight = new SemaphoreSlim(512);
var posts = new List<Task>();
var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
for (var n = 0L; run.Elapsed < TimeSpan.FromSeconds(options.Seconds); n++)
{
    var due = interval * n;
    if (due > run.Elapsed)
    {
        await Task.Delay(due - run.Elapsed);
    }

    if (!inflight.Wait(0))
    {
        Interlocked.Increment(ref failed);
        continue;
    }

    var user = Random.Shared.Next(users.Length);
    posts.Add(Task.Run(async () =>
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/notifications/test")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { title = clock.Elapsed.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture) }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref sent);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref failed);
        }
        finally
        {
            inflight.Release();
        }
    }));
}

await Task.WhenAll(posts);
var elapsed = run.Elapsed.TotalSeconds;
var cpu = Proc.CpuSeconds(options.ApiPid) - cpuBefore;
var siloCpu = Proc.CpuSeconds(options.SiloPid) - siloCpuBefore;
var ownCpu = Proc.CpuSeconds(Environment.ProcessId) - ownCpuBefore;
var machineAfter = Proc.MachineTicks();
var machineBusy = 100.0 * (machineAfter.Busy - machineBefore.Busy) / Math.Max(1, machineAfter.Total - machineBefore.Total);
var drain = Stopwatch.StartNew();
while (Interlocked.Read(ref received) < Interlocked.Read(ref sent) && drain.Elapsed < TimeSpan.FromSeconds(15))
{
    await Task.Delay(100);
}

var sorted = latencies.Order().ToArray();
double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
Console.WriteLine($"notifications: {sent} created in {elapsed:F1} s ({sent / elapsed:F0}/s asked {options.Rate}/s), {failed} refused or skipped, {received} received on sockets");
Console.WriteLine($"latency POST → frame: p50 {P(0.50):F1} ms, p99 {P(0.99):F1} ms, max {(sorted.Length == 0 ? double.NaN : sorted[^1]):F1} ms");
Console.WriteLine($"API CPU: {cpu:F1} s over {elapsed:F1} s ({cpu / elapsed * 100:F0}% of one core); RSS at the end {Proc.RssBytes(options.ApiPid) / 1048576.0:F0} MB");
Console.WriteLine($"silo CPU {siloCpu / elapsed * 100:F0}%, this client {ownCpu / elapsed * 100:F0}% of one core; the machine {machineBusy:F0}% busy over its {Environment.ProcessorCount} cores");
foreach (var socket in sockets)
{
    socket.Abort();
}

return 0;

async Task ReadAsync(ClientWebSocket socket)
{
    var buffer = new byte[16 * 1024];
    try
    {
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var now = clock.Elapsed.TotalMilliseconds;
            using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            if (frame.RootElement.GetProperty("type").GetString() == "notification"
                && double.TryParse(frame.RootElement.GetProperty("notification").GetProperty("title").GetString(), CultureInfo.InvariantCulture, out var at))
            {
                latencies.Add(now - at);
                Interlocked.Increment(ref received);
            }
        }
    }
    catch (WebSocketException)
    {
    }
}

internal sealed record Args(string Api, string Database, string SecretKey, int ApiPid, int SiloPid, int Sockets, int Rate, int Seconds)
{
    public static Args Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        return new Args(
            map["api"], map["database"], map["secret"], int.Parse(map["api-pid"], CultureInfo.InvariantCulture), int.Parse(map["silo-pid"], CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("sockets", "1000"), CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("rate", "200"), CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("seconds", "30"), CultureInfo.InvariantCulture));
    }
}

internal static class Proc
{
    public static long RssBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    public static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>The machine's CPU ticks from /proc/stat: busy (user, nice, system, irq, softirq) and all of them (idle and iowait too).</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var ticks = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7).Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6], ticks.Sum());
    }
}
