// Fires POSTs at a constant rate (open loop) and records each request's ack latency, measured from the
// moment it was *scheduled* — so a slow server is not hidden by the driver waiting for it (no coordinated
// omission). Bodies come from a Generator file, one per line "<signature>\t<body>", each used once.
//
//   dotnet RateDriver.dll --url http://127.0.0.1:8000/whatsapp/webhook --file bodies.tsv --rate 1000 --seconds 15
//                         [--warmup-seconds 2] [--max-connections 512] [--timeout-seconds 10]
// Prints a summary and one machine-readable line: RESULT sent= ok= errors= achieved_rps= p50_ms= p99_ms= max_ms=
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var a = 0; a + 1 < args.Length; a += 2)
{
    options[args[a].TrimStart('-')] = args[a + 1];
}

string Opt(string name, string? fallback = null) =>
    options.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");
double Num(string name, string fallback) => double.Parse(Opt(name, fallback), CultureInfo.InvariantCulture);

var url = new Uri(Opt("url"));
var rate = Num("rate", "1000");
var seconds = Num("seconds", "15");
var warmup = Num("warmup-seconds", "2");
var total = (int)Math.Round(rate * (seconds + warmup));
var warmupCount = (int)Math.Round(rate * warmup);

var lines = new List<(string? Signature, byte[] Body)>(total);
foreach (var line in File.ReadLines(Opt("file")))
{
    if (lines.Count == total)
    {
        break;
    }

    var tab = line.IndexOf('\t', StringComparison.Ordinal);
    lines.Add(tab < 0 ? (null, Encoding.UTF8.GetBytes(line)) : (line[..tab], Encoding.UTF8.GetBytes(line[(tab + 1)..])));
}

if (lines.Count < total)
{
    Console.Error.WriteLine($"the file has {lines.Count} bodies; {total} needed (rate x (seconds + warmup)), each used once");
    return 2;
}

ThreadPool.SetMinThreads(256, 256);
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = int.Parse(Opt("max-connections", "512"), CultureInfo.InvariantCulture),
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseCookies = false,
};
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(Num("timeout-seconds", "10")) };
var contentType = new MediaTypeHeaderValue("application/json");

var latencyTicks = new long[total];
var statuses = new int[total];
var tasks = new Task[total];
var clock = Stopwatch.StartNew();
var ticksPerRequest = Stopwatch.Frequency / rate;

async Task SendAsync(int i, long scheduled)
{
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(lines[i].Body) };
        request.Content.Headers.ContentType = contentType;
        if (lines[i].Signature is { } signature)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        using var response = await client.SendAsync(request).ConfigureAwait(false);
        statuses[i] = (int)response.StatusCode;
    }
    catch (Exception)
    {
        statuses[i] = -1;
    }

    latencyTicks[i] = clock.ElapsedTicks - scheduled;
}

var next = 0;
while (next < total)
{
    var due = (int)Math.Min(total, clock.ElapsedTicks / ticksPerRequest + 1);
    for (; next < due; next++)
    {
        var scheduled = (long)(next * ticksPerRequest);
        tasks[next] = SendAsync(next, scheduled);
    }

    await Task.Delay(1).ConfigureAwait(false);
}

var sendSeconds = clock.Elapsed.TotalSeconds;
await Task.WhenAll(tasks).ConfigureAwait(false);

var measured = Enumerable.Range(warmupCount, total - warmupCount).ToArray();
var ok = measured.Count(i => statuses[i] == 200);
var failures = measured.Where(i => statuses[i] != 200).GroupBy(i => statuses[i]).OrderBy(g => g.Key)
    .Select(g => $"{(g.Key < 0 ? "conn/timeout" : g.Key.ToString(CultureInfo.InvariantCulture))}x{g.Count()}").ToArray();
var ms = measured.Select(i => latencyTicks[i] * 1000.0 / Stopwatch.Frequency).Order().ToArray();
double Pct(double p) => ms[Math.Clamp((int)Math.Ceiling(p / 100 * ms.Length) - 1, 0, ms.Length - 1)];

var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(inv, $"{url}: {measured.Length} requests at {rate}/s over {seconds}s (after {warmupCount} warm-up), scheduling took {sendSeconds:F1}s for {total}"));
Console.WriteLine(string.Create(inv, $"  ok {ok}, errors {measured.Length - ok} {string.Join(' ', failures)}"));
Console.WriteLine(string.Create(inv, $"  ack latency from schedule: p50 {Pct(50):F1} ms, p99 {Pct(99):F1} ms, max {ms[^1]:F1} ms"));
Console.WriteLine(string.Create(inv,
    $"RESULT sent={measured.Length} ok={ok} errors={measured.Length - ok} achieved_rps={total / sendSeconds:F0} p50_ms={Pct(50):F1} p99_ms={Pct(99):F1} max_ms={ms[^1]:F1}"));
return 0;
