using System.Diagnostics;
using System.Globalization;
using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using ChatBoost.Silo.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

// Inbound-record throughput and latency: BatchingMessageWriter against one plain single-row INSERT per record
// (the floor of design.md "Hot path" step 3), at several concurrencies, on a database you give it.
// Usage: dotnet run -c Release --project bench/MessageWriterBench -- "<npgsql connection string>" [--seconds 5]
//        [--concurrency 1,16,128] [--linger-ms 0,1,2] [--max-pool 64]
// The database is migrated, and its messages table is TRUNCATED before every run: use a scratch database.
if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
{
    Console.Error.WriteLine("usage: MessageWriterBench \"<npgsql connection string to a scratch database>\" [--seconds 5] [--concurrency 1,16,128] [--linger-ms 0,1,2] [--max-pool 64]");
    return 2;
}

var seconds = IntOption("--seconds", 5);
var concurrencies = ListOption("--concurrency", "1,16,128");
var lingers = ListOption("--linger-ms", "0,1,2");
var maxPool = IntOption("--max-pool", 64);
var connectionString = new NpgsqlConnectionStringBuilder(args[0]) { MaxPoolSize = maxPool }.ConnectionString;

await MigrationRunner.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);
await using var dataSource = NpgsqlDataSource.Create(connectionString);
var database = new Database(dataSource);

Console.WriteLine($"{seconds} s per run after 1 s warm-up; max pool {maxPool}; {Environment.ProcessorCount} cores; server {await ServerVersionAsync()}");
Console.WriteLine();
Console.WriteLine("| concurrency | method | records/s | p50 ms | p99 ms | records/round trip | vs floor |");
Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
foreach (var concurrency in concurrencies)
{
    var floor = await RunAsync(concurrency, "single-row INSERT (floor)", null, PlainInsertAsync);
    Print(floor, floor.PerSecond);
    foreach (var linger in lingers)
    {
        var writer = new BatchingMessageWriter(
            database,
            Options.Create(new BatchingMessageWriterOptions { Linger = TimeSpan.FromMilliseconds(linger) }),
            NullLogger<BatchingMessageWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var result = await RunAsync(concurrency, $"BatchingMessageWriter, linger {linger} ms", writer, (r, _) => writer.RecordInboundAsync(r));
        await writer.StopAsync(CancellationToken.None);
        Print(result, floor.PerSecond);
    }
}

return 0;

async Task<Result> RunAsync(int concurrency, string name, BatchingMessageWriter? writer, Func<InboundRecord, CancellationToken, Task> record)
{
    await using (var truncate = dataSource.CreateCommand("TRUNCATE messages"))
    {
        await truncate.ExecuteNonQueryAsync();
    }

    long sequence = 0;
    var measuring = false;
    var stop = false;
    var latencies = new List<double>[concurrency];
    var workers = new Task[concurrency];
    for (var w = 0; w < concurrency; w++)
    {
        var mine = latencies[w] = new List<double>(100_000);
        workers[w] = Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                var n = Interlocked.Increment(ref sequence);
                var r = new InboundRecord(
                    1, 1, "1555" + (n % 1000).ToString(CultureInfo.InvariantCulture), "wamid.bench." + n.ToString(CultureInfo.InvariantCulture),
                    "text", "hello from the benchmark", """{"type":"text","text":{"body":"hello from the benchmark"}}""", DateTimeOffset.UtcNow);
                var started = Stopwatch.GetTimestamp();
                await record(r, CancellationToken.None);
                if (Volatile.Read(ref measuring))
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        });
    }

    await Task.Delay(TimeSpan.FromSeconds(1));
    var batchesBefore = writer?.BatchesCommitted ?? 0;
    var recordsBefore = writer?.RecordsCommitted ?? 0;
    Volatile.Write(ref measuring, true);
    var clock = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    Volatile.Write(ref measuring, false);
    var elapsed = clock.Elapsed.TotalSeconds;
    var batches = (writer?.BatchesCommitted ?? 0) - batchesBefore;
    var records = (writer?.RecordsCommitted ?? 0) - recordsBefore;
    Volatile.Write(ref stop, true);
    await Task.WhenAll(workers);

    var all = latencies.SelectMany(l => l).ToArray();
    Array.Sort(all);
    return new Result(
        concurrency,
        name,
        all.Length / elapsed,
        Percentile(all, 0.50),
        Percentile(all, 0.99),
        writer is null ? 1 : batches == 0 ? 0 : (double)records / batches);
}

async Task PlainInsertAsync(InboundRecord r, CancellationToken ct)
{
    await using var command = dataSource.CreateCommand("""
        INSERT INTO messages (bot_id, organization_id, contact_wa_id, direction, wa_message_id, message_type, text, payload,
                              status, status_rank, wa_timestamp)
        VALUES (@bot, @org, @contact, 'inbound', @wamid, @type, @text, @payload::jsonb, 'received', 0, @ts)
        """);
    command.Parameters.Add(new NpgsqlParameter<long>("bot", r.BotId));
    command.Parameters.Add(new NpgsqlParameter<long>("org", r.OrganizationId));
    command.Parameters.Add(new NpgsqlParameter<string>("contact", r.ContactWaId));
    command.Parameters.Add(new NpgsqlParameter<string>("wamid", r.WaMessageId));
    command.Parameters.Add(new NpgsqlParameter<string>("type", r.MessageType));
    command.Parameters.Add(new NpgsqlParameter<string>("text", r.Text!));
    command.Parameters.Add(new NpgsqlParameter<string>("payload", r.PayloadJson!));
    command.Parameters.Add(new NpgsqlParameter<DateTime>("ts", r.WaTimestamp!.Value.UtcDateTime));
    await command.ExecuteNonQueryAsync(ct);
}

async Task<string> ServerVersionAsync()
{
    await using var command = dataSource.CreateCommand("SHOW server_version");
    return (string)(await command.ExecuteScalarAsync())!;
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static void Print(Result r, double floor) => Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"| {r.Concurrency} | {r.Name} | {r.PerSecond:0} | {r.P50:0.00} | {r.P99:0.00} | {r.PerRoundTrip:0.0} | {r.PerSecond / floor:0.00}× |"));

int IntOption(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

int[] ListOption(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    var value = at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    return value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}

internal sealed record Result(int Concurrency, string Name, double PerSecond, double P50, double P99, double PerRoundTrip);
