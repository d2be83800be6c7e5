using System.Diagnostics;
using System.Globalization;
using ChatBoost.Bench.Conversation;
using ChatBoost.FakeGraphApi;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// The full conversation path at fixed rates (issue 10, "Benchmark"): a new customer's message -> signed webhook to the
// real API -> the bot's default flow (one send_message node) -> the reply at the fake Graph API (hosted here) -> its
// three status webhooks (sent, delivered, read), signed, to the API. Next to bench/webhook's single-INSERT floor in
// the same run. See bench/README.md ("conversation"); bench/conversation/run.sh starts the system and runs this.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var runTag = Random.Shared.Next(100_000, 1_000_000).ToString(CultureInfo.InvariantCulture);
var phoneNumberId = "1" + Random.Shared.NextInt64(10_000_000_000_000, 99_999_999_999_999).ToString(CultureInfo.InvariantCulture);
var accessToken = "EAAB-conversation-bench-" + runTag;
var webhookUrl = new Uri(options.Api, "/whatsapp/webhook");
var floorUrl = new Uri(options.Floor, "/floor");
ThreadPool.SetMinThreads(256, 256);

// ---- The fake Graph API, in this process: the number at Meta's top tier, every customer inside its window ----
await using var fake = FakeGraphApiApp.Build(
[
    "--urls", $"http://127.0.0.1:{options.FakePort}",
    $"--FAKE_GRAPH_RATE_PER_SECOND={options.FakeRate}",
    // The benchmark posts the customers' webhooks itself, not through /_fake/inbound; Meta would have opened the window.
    "--FAKE_GRAPH_ENFORCE_WINDOW=false",
    "--Logging:LogLevel:Default=Warning",
]);
await fake.StartAsync();
var fakeState = fake.Services.GetRequiredService<FakeGraphState>();
fakeState.RegisterPhoneNumber(new RegisteredPhoneNumber(phoneNumberId, "+1 555-0009999", "Conversation Bench", new HashSet<string> { accessToken }));

using var loadHandler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.MaxConnections,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseCookies = false,
};
using var load = new HttpClient(loadHandler) { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
using var api = new HttpClient { BaseAddress = options.Api, Timeout = TimeSpan.FromSeconds(60) };
using var fakeClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096 })
{
    BaseAddress = new Uri($"http://127.0.0.1:{options.FakePort}"),
    Timeout = TimeSpan.FromSeconds(120),
};
await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.Database) { MaxPoolSize = 2, CommandTimeout = 60 }.ConnectionString);
async Task<(PgSnapshot Pg, CpuSnapshot Cpu)> Snapshot() => (await PgSnapshot.TakeAsync(db), CpuSnapshot.Take(options.CpuTrees));

var botId = await ApiSetup.CreateBotWithDefaultFlowAsync(api, phoneNumberId, accessToken, runTag, options.KeywordTriggers);
var loadBefore = LoadAverage();
Console.WriteLine(Invariant($"ConversationBench: bot {botId} with {options.KeywordTriggers} keyword triggers, phone number id {phoneNumberId}, fake Graph API on port {options.FakePort} ")
                  + Invariant($"(FAKE_GRAPH_RATE_PER_SECOND={options.FakeRate}); {Environment.ProcessorCount} cores, load average {loadBefore}"));

await using var watcher = new ReplyWatcher(fakeState, phoneNumberId, fakeClient, webhookUrl, options.AppSecret);
var driver = new OpenLoopDriver(load);
var phase = new ConversationPhase(driver, watcher, options, webhookUrl, phoneNumberId, runTag);

// ---- Warm-up: JIT, connection pools, grain activations. Its conversations are not reported. ----
if (options.WarmupRate > 0 && options.WarmupSeconds > 0)
{
    var warm = await phase.RunAsync("warm-up", options.WarmupRate, options.WarmupSeconds, null, null);
    Console.WriteLine(Invariant($"  warm-up: {warm.Replied}/{warm.Conversations} replied, ack errors {warm.AckErrorsText}"));
    if (warm.Replied == 0)
    {
        Console.WriteLine("No reply reached the fake Graph API during the warm-up: the system does not answer (see the silo's log). Stopping.");
        return 1;
    }
}

// ---- The floor: bench/webhook's one-INSERT POST, on the same PostgreSQL ----
var floorBodies = Enumerable.Range(0, 20_000)
    .Select(i => SignedWebhook.NewCustomer(phoneNumberId, "19" + i.ToString("D13", CultureInfo.InvariantCulture), "wamid.FLOOR" + runTag + "_" + i, options.AppSecret))
    .ToArray();
(long Ok, long Errors, double Seconds, double[] LatenciesMs)? floorMax = null;
CpuDelta? floorCpu = null;
if (options.FloorMaxSeconds > 0)
{
    Console.WriteLine(Invariant($"[{DateTime.UtcNow:HH:mm:ss}] floor: closed loop, {options.FloorConnections} connections, 2 s warm-up + {options.FloorMaxSeconds} s"));
    await driver.MaximumAsync(floorUrl, floorBodies, options.FloorConnections, 2);
    var cpuBefore = CpuSnapshot.Take(options.CpuTrees);
    floorMax = await driver.MaximumAsync(floorUrl, floorBodies, options.FloorConnections, options.FloorMaxSeconds);
    floorCpu = CpuDelta.Between(cpuBefore, CpuSnapshot.Take(options.CpuTrees));
}

var floorAtRate = new Dictionary<double, (Percentiles Ack, int Errors)>();
foreach (var rate in options.Rates)
{
    Console.WriteLine(Invariant($"[{DateTime.UtcNow:HH:mm:ss}] floor: {rate}/s for {options.Seconds} s"));
    var count = Math.Max(1, (int)Math.Round(rate * options.Seconds));
    var run = await driver.RunAsync(floorUrl, [.. Enumerable.Range(0, count).Select(i => floorBodies[i % floorBodies.Length])], rate);
    floorAtRate[rate] = (
        new Percentiles(run.Shots.Select(s => s.Status == 200 ? s.AckTicks * 1000.0 / Stopwatch.Frequency : double.PositiveInfinity)),
        run.Shots.Count(s => s.Status != 200));
}

// ---- The idle system's own database traffic (Orleans membership, reminders, sweeps), to subtract per phase ----
Console.WriteLine(Invariant($"[{DateTime.UtcNow:HH:mm:ss}] idle baseline: {2 * options.SettleSeconds} s"));
await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds));
var idleStart = await Snapshot();
await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, options.SettleSeconds)));
var idleEnd = await Snapshot();
var idle = PgDelta.Between(idleStart.Pg, idleEnd.Pg);
var idleCpu = CpuDelta.Between(idleStart.Cpu, idleEnd.Cpu);

// ---- The phases ----
var results = new List<PhaseResult>();
foreach (var rate in options.Rates)
{
    var before = await Snapshot();
    var result = await phase.RunAsync(Invariant($"conversations {rate}/s"), rate, options.Seconds, Snapshot, before);
    results.Add(result);
    Console.WriteLine(Invariant($"  ack p50/p99 {result.Ack.P50P99} ms, reply p50/p99 {result.Reply.P50P99} ms, replied {result.Replied}/{result.Conversations}, ")
                      + Invariant($"ack errors {result.AckErrorsText}, status webhook errors {result.StatusErrors}"));
}

var loadAfter = LoadAverage();
Console.WriteLine(Report.Summary(new Report.Inputs(
    options, floorMax, floorCpu, floorAtRate, idle, idleCpu, results, watcher, loadBefore, loadAfter)));
return results.All(r => r.Replied > 0) ? 0 : 1;

static string Invariant(FormattableString text) => FormattableString.Invariant(text);

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "?";
    }
}
