using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChatBoost.Bench.Wakeup;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;
using ChatBoost.Grains.Interfaces.Bots;
using ChatBoost.Grains.Interfaces.Contacts;
using ChatBoost.Grains.Interfaces.Flows;
using ChatBoost.Grains.Interfaces.Organizations;
using ChatBoost.Silo.Hosting;
using ChatBoost.Silo.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;

// Wake-up benchmark: E flow executions on ONE in-process silo all wait (node 1 `wait`, N seconds) and then set an
// attribute (node 2). Measures how long after the last due time every execution has resumed, the lateness of each
// (ended_at - wake_at), and the silo process's memory before, while waiting and after. See bench/README.md.
// Usage: dotnet run -c Release --project bench/WakeupBench -- "<npgsql connection string to a scratch database>"
//        [--executions 10000] [--wait-seconds 120] [--mode warm|cold] [--concurrency 64] [--align 0] [--deadline-minutes 10]
//        [--pg-stat-statements]
// --align S > 0: all due times fall in one S-second window (an execution started later gets a flow with a shorter wait),
// instead of spreading over the start phase; --wait-seconds must then exceed the start phase.
if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("usage: WakeupBench \"<npgsql connection string to a scratch database>\" [--executions 10000] [--wait-seconds 120] "
                            + "[--mode warm|cold] [--concurrency 64] [--align 0] [--deadline-minutes 10] [--pg-stat-statements]");
    return 2;
}

var executions = IntOption("--executions", 10_000);
var waitSeconds = IntOption("--wait-seconds", 120);
var concurrency = IntOption("--concurrency", 64);
var mode = StringOption("--mode", "warm");
var align = IntOption("--align", 0);
var deadlineMinutes = IntOption("--deadline-minutes", 10);
var pgStatStatements = args.Contains("--pg-stat-statements");
if (mode is not ("warm" or "cold") || executions < 1 || waitSeconds < 1 || concurrency < 1 || align < 0 || deadlineMinutes < 1)
{
    Console.Error.WriteLine("--mode is warm or cold; --executions, --wait-seconds, --concurrency and --deadline-minutes are positive, --align is not negative.");
    return 2;
}

var cold = mode == "cold";
var connectionString = args[0];
var runTag = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
var serviceId = "wakeup-bench-" + runTag;

await MigrationRunner.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);
// The benchmark's own queries: a small pool of their own, and patience when the silo's wake-ups load the database.
await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 4, CommandTimeout = 300 }.ConnectionString);
var serverVersion = await ScalarAsync<string>("SHOW server_version");
var maxConnections = await ScalarAsync<string>("SHOW max_connections");

// ---- One silo, configured like the grain-test fixture (and the production silo's response timeout) ----
var settings = new ChatBoostSettings(connectionString, RedisConnection.Unused, new ClusterSettings(), new AuthOptions(), Debug: false);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
    o.UseUtcTimestamp = true;
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var logCounts = new LogCounter();
builder.Logging.AddProvider(logCounts);
SiloHost.AddChatBoostServices(builder.Services, settings, builder.Configuration);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: serviceId, clusterId: "wakeup-bench");
    SiloHost.ConfigurePersistence(silo, settings.DatabaseConnectionString);
    silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(settings.Cluster.ResponseTimeoutSeconds));
});
using var metrics = new MetricsCollector();
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var management = grains.GetGrain<IManagementGrain>(0);

Console.WriteLine(Invariant($"WakeupBench: {executions:N0} executions, wait {waitSeconds} s{(align > 0 ? $", due times aligned to {align} s" : "")}, mode {mode}, start concurrency {concurrency}; ")
                            + Invariant($"{Environment.ProcessorCount} cores, load average {LoadAverage()}; PostgreSQL {serverVersion} (max_connections {maxConnections}); ")
                            + Invariant($"service id {serviceId}"));

// ---- A user, an organization, a bot and the published flow: wait N seconds, then set an attribute ----
var registered = await grains.GetGrain<IUserRegistryGrain>(0).RegisterAsync(
    new RegisterUserCommand($"wakeup-{runTag}-{Guid.NewGuid():N}@bench.test", null, "$2b$12$notarealhashnotarealhashnotarealhashnotarealhashnotre"));
var userId = registered.User?.Id ?? throw new InvalidOperationException($"user registration failed: {registered.Outcome}");
var organization = await grains.GetGrain<IOrganizationRegistryGrain>(0).CreateAsync(userId, "Wakeup bench " + runTag, null);
var organizationId = Ok(organization, "organization").Id;
var bot = await grains.GetGrain<IBotRegistryGrain>(0).CreateAsync(
    new CreateBotCommand(userId, organizationId, "Wakeup bench bot", null, false, null, null, null, null, null));
var botId = Ok(bot, "bot").Id;

// One flow per wait duration (one flow unless --align): wait N seconds, then set an attribute.
var flows = new ConcurrentDictionary<int, Lazy<Task<long>>>();
await FlowAsync(waitSeconds);

var reminders = new List<(string Label, long Count)> { ("before", await RemindersAsync()) };
var memory = new List<MemorySnapshot> { await MeasureAsync("before starts") };

// ---- Start E executions, bounded concurrency ----
var executionIds = new long[executions];
var wakeAts = new DateTimeOffset?[executions];
var startMs = new double[executions];
var startFailures = 0;
var failureSamples = new ConcurrentQueue<string>();
var startedCount = 0;
var overran = 0;
if (pgStatStatements)
{
    pgStatStatements = await TryExecuteAsync("SELECT pg_stat_statements_reset()");
}

var startActivity = new ActivitySampler();
using var startSampling = new CancellationTokenSource();
var startSampler = SampleUntilAsync(startActivity, startSampling.Token);
var cpuBeforeStarts = CpuTime();
var startClock = Stopwatch.StartNew();
using (var progress = new Progress(TimeSpan.FromSeconds(5), () => Invariant($"  starting: {Volatile.Read(ref startedCount):N0}/{executions:N0} after {startClock.Elapsed.TotalSeconds:0} s")))
{
    await Parallel.ForEachAsync(Enumerable.Range(0, executions), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
    {
        var began = Stopwatch.GetTimestamp();
        try
        {
            var duration = waitSeconds;
            if (align > 0)
            {
                duration = waitSeconds - ((int)startClock.Elapsed.TotalSeconds / align * align);
                if (duration < 1)
                {
                    duration = 1;
                    Interlocked.Increment(ref overran);
                }
            }

            var flowId = await FlowAsync(duration);
            var result = await grains.GetGrain<IContactGrain>(botId, Phone(i), null)
                .StartExecutionAsync(new StartExecutionCommand(flowId, organizationId, null, userId));
            if (result is { IsOk: true, Value: { } view })
            {
                executionIds[i] = view.Id;
                wakeAts[i] = view.WakeAt;
            }
            else
            {
                Interlocked.Increment(ref startFailures);
                Sample(failureSamples, $"{result.Status}: {result.Detail}");
            }
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref startFailures);
            Sample(failureSamples, $"{e.GetType().Name}: {e.Message}");
        }

        startMs[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
        Interlocked.Increment(ref startedCount);
    });
}

var startSeconds = startClock.Elapsed.TotalSeconds;
var startCpu = CpuTime() - cpuBeforeStarts;
await startSampling.CancelAsync();
await startSampler;
var startStatements = pgStatStatements ? await TopStatementsAsync() : [];
var dues = wakeAts.Where(w => w is not null).Select(w => w!.Value).ToArray();
if (dues.Length == 0)
{
    Console.WriteLine("No execution started; nothing to measure. Failures: " + string.Join(" | ", failureSamples));
    await StopAsync();
    return 1;
}

var firstDue = dues.Min();
var lastDue = dues.Max();
var sortedStartMs = startMs.OrderBy(x => x).ToArray();
Console.WriteLine(Invariant($"Started {dues.Length:N0} in {startSeconds:0.0} s = {dues.Length / startSeconds:N0}/s ")
                            + Invariant($"(call p50 {Percentile(sortedStartMs, 0.5):0} ms, p99 {Percentile(sortedStartMs, 0.99):0} ms; process CPU {startCpu.TotalSeconds / startSeconds:0.00} cores); ")
                            + Invariant($"failures {startFailures}{(failureSamples.IsEmpty ? "" : ": " + string.Join(" | ", failureSamples))}"));
Console.WriteLine(Invariant($"Due times: first {firstDue:HH:mm:ss.fff}, last {lastDue:HH:mm:ss.fff} (spread {(lastDue - firstDue).TotalSeconds:0.0} s; ")
                            + Invariant($"{flows.Count} flow(s) with wait {flows.Keys.Min()}..{flows.Keys.Max()} s); now {DateTimeOffset.UtcNow:HH:mm:ss.fff}"));
if (overran > 0)
{
    Console.WriteLine(Invariant($"WARNING: {overran:N0} executions started after the aligned due window; use a longer --wait-seconds."));
}

if (DateTimeOffset.UtcNow > firstDue - TimeSpan.FromSeconds(5))
{
    Console.WriteLine("WARNING: the starts ran into the due times; use a longer --wait-seconds (the waiting snapshot and, in cold mode, the collection overlap the wake-ups).");
}

var waiting = await ScalarAsync<long>(
    "SELECT count(*) FROM flow_executions WHERE organization_id = @org AND bot_id = @bot AND status = 'waiting'", ("org", organizationId), ("bot", botId));
reminders.Add(("all waiting", await RemindersAsync()));
memory.Add(await MeasureAsync("all waiting"));
Console.WriteLine(Invariant($"Waiting rows: {waiting:N0}; reminders: {reminders[^1].Count:N0}; {memory[^1]}"));

string collection = "n/a (warm)";
if (cold)
{
    var collectClock = Stopwatch.StartNew();
    await management.ForceActivationCollection(TimeSpan.Zero);
    var remaining = await ContactActivationsAsync();
    while (remaining > 0 && collectClock.Elapsed < TimeSpan.FromSeconds(120))
    {
        await Task.Delay(250);
        remaining = await ContactActivationsAsync();
    }

    collection = Invariant($"{collectClock.Elapsed.TotalSeconds:0.0} s, {remaining:N0} contact activations left");
    memory.Add(await MeasureAsync("waiting, collected"));
    Console.WriteLine($"Collected activations: {collection}; {memory[^1]}");
    if (DateTimeOffset.UtcNow > firstDue)
    {
        Console.WriteLine("WARNING: the collection ran past the first due time; some executions may have woken from their timers.");
    }
}

// ---- The wake-ups ----
if (pgStatStatements)
{
    pgStatStatements = await TryExecuteAsync("SELECT pg_stat_statements_reset()");
}

var untilFirstDue = firstDue - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
if (untilFirstDue > TimeSpan.Zero)
{
    Console.WriteLine(Invariant($"Sleeping {untilFirstDue.TotalSeconds:0} s until the first due time"));
    await Task.Delay(untilFirstDue);
}

metrics.Reset();
var activity = new ActivitySampler();
var cpuBeforeWake = CpuTime();
var wakeClock = Stopwatch.StartNew();
var deadline = lastDue + TimeSpan.FromMinutes(deadlineMinutes);
DateTimeOffset? allCompletedObserved = null;
long completed = 0, active = dues.Length, otherEnded = 0;
var nextProgress = DateTimeOffset.UtcNow;

// Cheap polling: the active rows through the one-active-execution partial index every poll, the failed/cancelled
// ones (a scan of the run's rows) only with the progress line; completed = started - active - failed/cancelled.
var pollInterval = TimeSpan.FromMilliseconds(dues.Length > 20_000 ? 1000 : 250);
while (true)
{
    var now = DateTimeOffset.UtcNow;
    try
    {
        active = await ScalarAsync<long>(
            "SELECT count(*) FROM flow_executions WHERE bot_id = @bot AND status IN ('running', 'waiting', 'waiting_for_reply')", ("bot", botId));
        now = DateTimeOffset.UtcNow;
        if (now >= nextProgress || active == 0)
        {
            otherEnded = await ScalarAsync<long>(
                "SELECT count(*) FROM flow_executions WHERE organization_id = @org AND bot_id = @bot AND status IN ('failed', 'cancelled')",
                ("org", organizationId), ("bot", botId));
        }

        await activity.SampleAsync(db);
    }
    catch (Exception e) when (e is NpgsqlException or TimeoutException)
    {
        Console.WriteLine($"  (poll failed: {e.Message}; retrying)");
    }

    completed = dues.Length - active - otherEnded;
    if (now >= nextProgress)
    {
        Console.WriteLine(Invariant($"  {(now - firstDue).TotalSeconds,6:0.0} s after first due: completed {completed:N0}, still active {active:N0}, failed/cancelled {otherEnded:N0}"));
        nextProgress = now + TimeSpan.FromSeconds(5);
    }

    if (active == 0)
    {
        allCompletedObserved = otherEnded == 0 ? now : null;
        break;
    }

    if (now > deadline)
    {
        break;
    }

    await Task.Delay(pollInterval);
}

var wakeCpu = CpuTime() - cpuBeforeWake;
var wakeSeconds = wakeClock.Elapsed.TotalSeconds;
var metricsReport = metrics.Report();

// ---- Lateness, per execution: ended_at - wake_at (the wake time recorded at start) ----
var ended = new Dictionary<long, (string Status, DateTimeOffset? EndedAt, string? Error)>();
await using (var command = db.CreateCommand("SELECT id, status, ended_at, error FROM flow_executions WHERE organization_id = @org AND bot_id = @bot"))
{
    command.Parameters.AddWithValue("org", organizationId);
    command.Parameters.AddWithValue("bot", botId);
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        ended[reader.GetInt64(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }
}

var byDue = Enumerable.Range(0, executions).Where(i => wakeAts[i] is not null).OrderBy(i => wakeAts[i]!.Value).ToArray();
var lateness = new List<double>(byDue.Length);
var latenessByDecile = new List<double>[10];
for (var d = 0; d < 10; d++)
{
    latenessByDecile[d] = [];
}

var notCompleted = new List<string>();
var endTimes = new List<DateTimeOffset>(byDue.Length);
for (var k = 0; k < byDue.Length; k++)
{
    var i = byDue[k];
    if (ended.TryGetValue(executionIds[i], out var row) && row is { Status: "completed", EndedAt: { } at })
    {
        var ms = (at - wakeAts[i]!.Value).TotalMilliseconds;
        lateness.Add(ms);
        latenessByDecile[k * 10 / byDue.Length].Add(ms);
        endTimes.Add(at);
    }
    else if (notCompleted.Count < 5)
    {
        notCompleted.Add(Invariant($"{executionIds[i]}:{row.Status ?? "missing"}{(row.Error is null ? "" : " (" + row.Error + ")")}"));
    }
}

var notCompletedCount = byDue.Length - lateness.Count;
var sortedLateness = lateness.OrderBy(x => x).ToArray();
var lastEnded = endTimes.Count > 0 ? endTimes.Max() : (DateTimeOffset?)null;
var peakPerSecond = endTimes.Count > 0 ? endTimes.GroupBy(t => t.ToUnixTimeSeconds()).Max(g => g.Count()) : 0;

// ---- The reminders go away as the executions end ----
reminders.Add(("all resumed", await RemindersAsync()));
var drainClock = Stopwatch.StartNew();
var remindersLeft = reminders[^1].Count;
while (remindersLeft > 0 && drainClock.Elapsed < TimeSpan.FromSeconds(120))
{
    await Task.Delay(500);
    remindersLeft = await RemindersAsync();
}

reminders.Add((Invariant($"{drainClock.Elapsed.TotalSeconds:0} s later"), remindersLeft));
memory.Add(await MeasureAsync("after all resumed"));

var statements = pgStatStatements ? await TopStatementsAsync() : [];
var loadAfter = LoadAverage();

// ---- Summary ----
Console.WriteLine();
Console.WriteLine("```");
Console.WriteLine(Invariant($"WakeupBench {mode}: {executions:N0} executions, wait {waitSeconds} s{(align > 0 ? $" (aligned {align} s)" : "")}, start concurrency {concurrency}, ")
                            + Invariant($"{Environment.ProcessorCount} cores, PostgreSQL {serverVersion}, load average after {loadAfter}"));
Console.WriteLine(Invariant($"starts:        {dues.Length:N0} in {startSeconds:0.0} s = {dues.Length / startSeconds:N0}/s; call p50 {Percentile(sortedStartMs, 0.5):0} ms, ")
                            + Invariant($"p99 {Percentile(sortedStartMs, 0.99):0} ms; {startFailures} failed; silo process CPU {startCpu.TotalSeconds / startSeconds:0.00} cores"));
Console.WriteLine(Invariant($"due:           first {firstDue:HH:mm:ss.fff}, last {lastDue:HH:mm:ss.fff} UTC (spread {(lastDue - firstDue).TotalSeconds:0.0} s")
                  + (align > 0 ? Invariant($", aligned to {align} s with {flows.Count} flows)") : ")"));
if (cold)
{
    Console.WriteLine($"collection:    {collection}");
}

Console.WriteLine(lastEnded is { } le
    ? Invariant($"all resumed:   {(notCompletedCount == 0 ? "" : "NOT ALL; last completed ")}{(le - lastDue).TotalSeconds:0.00} s after the last due ")
                + Invariant($"(max ended_at {le:HH:mm:ss.fff}; {(le - firstDue).TotalSeconds:0.00} s after the first due; ")
                + Invariant($"observed by polling {(allCompletedObserved is { } o ? (o - lastDue).TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "never")})")
    : "all resumed:   none completed");
Console.WriteLine(Invariant($"resume rate:   {lateness.Count / Math.Max(0.001, ((lastEnded ?? firstDue) - firstDue).TotalSeconds):N0}/s from first due to last ended; ")
                            + Invariant($"peak {peakPerSecond:N0} in one second; silo process CPU {wakeCpu.TotalSeconds / wakeSeconds:0.00} cores while waking"));
Console.WriteLine(Invariant($"lateness (ms): p50 {Percentile(sortedLateness, 0.50):0}, p95 {Percentile(sortedLateness, 0.95):0}, ")
                            + Invariant($"p99 {Percentile(sortedLateness, 0.99):0}, max {(sortedLateness.Length == 0 ? double.NaN : sortedLateness[^1]):0} ")
                            + Invariant($"(min {(sortedLateness.Length == 0 ? double.NaN : sortedLateness[0]):0})"));
Console.WriteLine("  p50 by due decile: " + string.Join(" ", latenessByDecile.Select(l => Percentile(l.OrderBy(x => x).ToArray(), 0.5).ToString("0", CultureInfo.InvariantCulture))));
Console.WriteLine(Invariant($"not completed: {notCompletedCount:N0}{(notCompleted.Count == 0 ? "" : " e.g. " + string.Join(", ", notCompleted))}"));
foreach (var snapshot in memory)
{
    Console.WriteLine($"memory:        {snapshot}");
}

Console.WriteLine("reminders:     " + string.Join(", ", reminders.Select(r => Invariant($"{r.Label} {r.Count:N0}"))));
Console.WriteLine("PG backends:   starting: " + startActivity.Report());
Console.WriteLine("               waking:   " + activity.Report());
foreach (var line in logCounts.Report(12))
{
    Console.WriteLine("log entries:   " + line);
}

foreach (var line in metricsReport)
{
    Console.WriteLine("metric:        " + line);
}

foreach (var line in startStatements)
{
    Console.WriteLine("pg (starting): " + line);
}

foreach (var line in statements)
{
    Console.WriteLine("pg (waking):   " + line);
}

Console.WriteLine("```");

await StopAsync();
return notCompletedCount == 0 ? 0 : 1;

// ---- Helpers ----

async Task StopAsync()
{
    var stopClock = Stopwatch.StartNew();
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
    try
    {
        await host.StopAsync(timeout.Token);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("(silo stop timed out)");
    }

    Console.WriteLine(Invariant($"Silo stopped in {stopClock.Elapsed.TotalSeconds:0.0} s"));
}

Task<long> FlowAsync(int seconds) => flows.GetOrAdd(seconds, d => new Lazy<Task<long>>(() => CreateFlowAsync(d))).Value;

async Task<long> CreateFlowAsync(int seconds)
{
    TemplateNode[] nodes =
    [
        new(1, "wait", null, Invariant($$"""{"duration": {{seconds}}, "unit": "seconds", "next": 2}""")),
        new(2, "set_attribute", null, """{"attribute_key": "woke", "attribute_value": "{{now}}"}"""),
    ];
    var flow = await grains.GetGrain<IBotGrain>(botId).CreateFlowAsync(new CreateFlowCommand(userId, Invariant($"Wakeup bench {seconds} s"), null, nodes, 1));
    var flowId = Ok(flow, "flow").Id;
    var published = await grains.GetGrain<IFlowGrain>(flowId).PublishAsync(userId);
    return published.IsOk
        ? flowId
        : throw new InvalidOperationException("publish failed: " + string.Join("; ", published.Problems?.Select(p => p.Message) ?? []));
}

async Task SampleUntilAsync(ActivitySampler sampler, CancellationToken stop)
{
    while (!stop.IsCancellationRequested)
    {
        await sampler.SampleAsync(db);
        try
        {
            await Task.Delay(500, stop);
        }
        catch (OperationCanceledException)
        {
            break;
        }
    }
}

Task<long> RemindersAsync() => ScalarAsync<long>("SELECT count(*) FROM orleansreminderstable WHERE serviceid = @service", ("service", serviceId));

async Task<long> ContactActivationsAsync()
{
    try
    {
        var statistics = await management.GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(".ContactGrain", StringComparison.Ordinal)).Sum(s => (long)s.ActivationCount);
    }
    catch (TimeoutException)
    {
        return -1;
    }
}

async Task<MemorySnapshot> MeasureAsync(string label)
{
    var managed = GC.GetTotalMemory(forceFullCollection: true);
    using var process = Process.GetCurrentProcess();
    process.Refresh();
    long total;
    try
    {
        total = await management.GetTotalActivationCount();
    }
    catch (TimeoutException)
    {
        total = -1;
    }

    return new MemorySnapshot(label, managed, process.WorkingSet64, await ContactActivationsAsync(), total);
}

async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
{
    await using var command = db.CreateCommand(sql);
    foreach (var (name, value) in parameters)
    {
        command.Parameters.AddWithValue(name, value);
    }

    return (T)(await command.ExecuteScalarAsync())!;
}

async Task<bool> TryExecuteAsync(string sql)
{
    try
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
        return true;
    }
    catch (PostgresException e)
    {
        Console.WriteLine($"(pg_stat_statements unavailable: {e.MessageText}; start PostgreSQL with shared_preload_libraries=pg_stat_statements and CREATE EXTENSION pg_stat_statements)");
        return false;
    }
}

async Task<List<string>> TopStatementsAsync()
{
    var lines = new List<string>();
    await using var command = db.CreateCommand("""
        SELECT calls, total_exec_time, mean_exec_time, regexp_replace(query, '\s+', ' ', 'g')
          FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         ORDER BY total_exec_time DESC
         LIMIT 12
        """);
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var query = reader.GetString(3);
        lines.Add(Invariant($"{reader.GetInt64(0),8:N0} calls {reader.GetDouble(1),9:N0} ms total {reader.GetDouble(2),7:0.00} ms mean  {query[..Math.Min(query.Length, 110)]}"));
    }

    return lines;
}

int IntOption(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

string StringOption(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

static T Ok<T>(ChatBoost.Grains.Interfaces.CommandResult<T> result, string what) =>
    result is { IsOk: true, Value: { } value } ? value : throw new InvalidOperationException($"creating the {what} failed: {result.Status} {result.Detail}");

static string Phone(int i) => "7" + (1_000_000_000L + i).ToString(CultureInfo.InvariantCulture);

static void Sample(ConcurrentQueue<string> samples, string message)
{
    if (samples.Count < 5)
    {
        samples.Enqueue(message);
    }
}

static TimeSpan CpuTime()
{
    using var process = Process.GetCurrentProcess();
    return process.TotalProcessorTime;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string LoadAverage()
{
    try
    {
        return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "n/a";
    }
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

static string Invariant(FormattableString text) => FormattableString.Invariant(text);
