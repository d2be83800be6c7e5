using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ChatBoost.Bench.Analytics;
using ChatBoost.Configuration;
using ChatBoost.Grains.Analytics;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Analytics;
using ChatBoost.Silo.Hosting;
using ChatBoost.Silo.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using static System.FormattableString;

// AnalyticsBench: generate a history, time the aggregation, then the endpoints' grain path cold and cached. See bench/README.md.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: AnalyticsBench <server connection string> [--database analytics_bench] [--bots 1000] [--contacts 1000000] [--messages 10000000] [--samples 100] [--phases generate,aggregate,endpoints]");
    return 2;
}

string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var databaseName = Option("--database", "analytics_bench");
var bots = int.Parse(Option("--bots", "1000"), CultureInfo.InvariantCulture);
var contacts = long.Parse(Option("--contacts", "1000000"), CultureInfo.InvariantCulture);
var messages = long.Parse(Option("--messages", "10000000"), CultureInfo.InvariantCulture);
var samples = int.Parse(Option("--samples", "100"), CultureInfo.InvariantCulture);
// Without "generate" the database of an earlier run is reused (its rollups too, without "aggregate").
var phases = Option("--phases", "generate,aggregate,endpoints").Split(',', StringSplitOptions.TrimEntries);

if (phases.Contains("generate"))
{
    await using var server = NpgsqlDataSource.Create(args[0]);
    await using var drop = server.CreateCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)");
    await drop.ExecuteNonQueryAsync();
    await using var create = server.CreateCommand($"CREATE DATABASE {databaseName}");
    await create.ExecuteNonQueryAsync();
}

var connectionString = new NpgsqlConnectionStringBuilder(args[0]) { Database = databaseName, CommandTimeout = 0 }.ConnectionString;
await MigrationRunner.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);
await using var db = NpgsqlDataSource.Create(connectionString);
Console.WriteLine(Invariant($"AnalyticsBench: {bots:N0} bots, {contacts:N0} contacts, {messages:N0} messages over 90 days; {Environment.ProcessorCount} cores, load average {LoadAverage()}"));

if (phases.Contains("generate"))
{
    Console.WriteLine("Generating:");
    var generated = await Generator.FillAsync(db, bots, contacts, messages);
    Console.WriteLine(Invariant($"  generated in {generated.TotalSeconds:0.0} s"));
}

// ---- Aggregation: one day (yesterday, every bot), then every day of the daily retention ----
var options = Options.Create(new AnalyticsOptions());
var database = new Database(db);
var aggregator = new AnalyticsAggregator(new RawFactReader(database), database, options, TimeProvider.System);
var today = AnalyticsOptions.DayStart(DateTimeOffset.UtcNow);
if (phases.Contains("aggregate"))
{
    var oneDay = Stopwatch.StartNew();
    var yesterday = await aggregator.AggregateAsync(today.AddDays(-1), today, null, CancellationToken.None);
    Console.WriteLine(Invariant($"Aggregation of one day (every bot): {oneDay.Elapsed.TotalSeconds:0.00} s, {yesterday.RowsChanged:N0} rows"));
    var all = Stopwatch.StartNew();
    long rows = 0;
    for (var day = options.Value.DailyHorizon(DateTimeOffset.UtcNow); day <= today; day = day.AddDays(1))
    {
        rows += (await aggregator.AggregateAsync(day, day.AddDays(1), null, CancellationToken.None)).RowsChanged;
    }

    Console.WriteLine(Invariant($"Aggregation of {options.Value.DailyRetentionDays} days, day by day: {all.Elapsed.TotalSeconds:0.0} s, {rows:N0} rows changed"));
    var again = Stopwatch.StartNew();
    var repeat = await aggregator.AggregateAsync(today.AddDays(-1), today, null, CancellationToken.None);
    Console.WriteLine(Invariant($"The same day again: {again.Elapsed.TotalSeconds:0.00} s, {repeat.RowsChanged} rows changed (idempotent)"));
    // What autovacuum does in production soon after: the visibility map the rollup reads' index-only scans need.
    await using var vacuum = db.CreateCommand("VACUUM ANALYZE hourly_message_stats, daily_message_stats, contact_activity_hourly");
    await vacuum.ExecuteNonQueryAsync();
}

if (!phases.Contains("endpoints"))
{
    return 0;
}

// ---- One silo in-process, without the aggregation's reminders and the outlet's shard workers (dispatchers, sweepers),
// so nothing but the endpoints runs while we measure and the message-scan check below sees only them ----
var settings = new ChatBoostSettings(connectionString, RedisConnection.Unused, new ClusterSettings(), new AuthOptions(), Debug: false);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
SiloHost.AddChatBoostServices(builder.Services, settings, builder.Configuration);
foreach (var startup in builder.Services.Where(d => d.ImplementationType?.Name is "AggregationStartup" or "ShardWorkersStartup").ToList())
{
    builder.Services.Remove(startup);
}

builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "analytics-bench-" + Guid.NewGuid().ToString("N"), clusterId: "analytics-bench");
    SiloHost.ConfigurePersistence(silo, settings.DatabaseConnectionString);
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var queries = grains.GetGrain<IAnalyticsQueryGrain>(0);

var end = DateTimeOffset.UtcNow;
var days90 = (Start: today.AddDays(-89), End: end);
var days8 = (Start: today.AddDays(-7), End: end);
var cases = new (string Name, Func<long, Task> Call)[]
{
    ("overview 90days", b => queries.OverviewAsync(new AnalyticsQuery([], b, "90days", "UTC"))),
    ("overview 7days tz", b => queries.OverviewAsync(new AnalyticsQuery([], b, "7days", "Europe/Berlin"))),
    ("trends 90 days", b => queries.TrendsAsync(new AnalyticsQuery([], b, "7days", "UTC", days90.Start, days90.End))),
    ("bot performance 90days", b => queries.PerformanceAsync(new AnalyticsQuery([], b, "90days", "UTC"))),
    ("delivery daily 90 days", b => queries.DeliveryRatesAsync(new AnalyticsQuery([], b, "7days", "UTC", days90.Start, days90.End, StatsGranularity.Daily))),
    ("delivery hourly 8 days", b => queries.DeliveryRatesAsync(new AnalyticsQuery([], b, "7days", "UTC", days8.Start, days8.End, StatsGranularity.Hourly))),
    ("active contacts 90days", b => queries.ActiveContactsAsync(new AnalyticsQuery([], b, "90days", "UTC"))),
    ("distribution 90days", b => queries.DistributionAsync(new AnalyticsQuery([], b, "90days", "UTC"))),
    ("overview 90days, org (10 bots)", b => queries.OverviewAsync(new AnalyticsQuery([((b - 1) / 10) + 1], null, "90days", "UTC"))),
    ("distribution 90days, org (10 bots)", b => queries.DistributionAsync(new AnalyticsQuery([((b - 1) / 10) + 1], null, "90days", "UTC"))),
    ("funnel 90days", b => queries.FunnelAsync(FlowOf(b), null, "90days", "UTC")),
};

var before = await MessageScansAsync(db);
Console.WriteLine();
Console.WriteLine("endpoint (grain path)                 cold p50    cold p99    cached p50  cached p99   (ms)");
var random = new Random(13);
foreach (var (name, call) in cases)
{
    // The first calls warm the JIT and activate every bot's cache grain: cold below means "rows read", not "grain activated".
    await Task.WhenAll(Enumerable.Range(1, bots).Select(b => call(b)));
    var cold = new List<double>();
    var cached = new List<double>();
    for (var i = 0; i < samples; i++)
    {
        var bot = random.NextInt64(1, bots + 1);
        await Task.WhenAll(Enumerable.Range((int)(((bot - 1) / 10) * 10) + 1, 10).Where(x => x <= bots)
            .Select(x => grains.GetGrain<IBotAnalyticsCacheGrain>(x).InvalidateAsync()));
        await grains.GetGrain<IFlowFunnelCacheGrain>(FlowOf(bot)).InvalidateAsync();
        var watch = Stopwatch.StartNew();
        await call(bot);
        cold.Add(watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        await call(bot);
        cached.Add(watch.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine(Invariant($"{name,-36} {P(cold, 50),9:0.00}   {P(cold, 99),9:0.00}   {P(cached, 50),9:0.00}   {P(cached, 99),9:0.00}"));
}

await Task.Delay(TimeSpan.FromSeconds(2)); // the statistics collector flushes about once a second
var after = await MessageScansAsync(db);
Console.WriteLine(Invariant($"\nScans of messages while the endpoints ran: {after.Seq - before.Seq} sequential, {after.Index - before.Index} index (must both be 0)"));
await host.StopAsync();
return 0;

// The generator gives the first 100 bots a flow each (flow id = bot id).
long FlowOf(long bot) => ((bot - 1) % Math.Min(100, bots)) + 1;

static double P(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static async Task<(long Seq, long Index)> MessageScansAsync(NpgsqlDataSource db)
{
    await using var command = db.CreateCommand("SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'messages'");
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return (reader.GetInt64(0), reader.GetInt64(1));
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
