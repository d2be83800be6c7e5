using System.Diagnostics;
using System.Globalization;
using ChatBoost.Bench.Broadcast;
using ChatBoost.FakeGraphApi;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// bench/broadcast: one broadcast run to N contacts on one number, paced at the silo's WHATSAPP_RATE_PER_SECOND, against
// the fake Graph API in this process allowing exactly that rate in any second (Meta's limit). See bench/README.md.
var options = BroadcastOptions.Parse(args);
var runTag = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
var phoneNumberId = "1" + Random.Shared.NextInt64(10_000_000_000_000, 99_999_999_999_999).ToString(CultureInfo.InvariantCulture);
var accessToken = "EAAB-broadcast-bench-" + runTag;

FakeGraphApiApp.ReserveThreadsForRateJudging(); // the machine is busy: silo, API and PostgreSQL share it
await using var fake = FakeGraphApiApp.Build(
[
    "--urls", $"http://127.0.0.1:{options.FakePort}",
    $"--FAKE_GRAPH_RATE_PER_SECOND={options.MetaRate}",
    $"--FAKE_GRAPH_REQUEST_LOG_CAPACITY={Math.Max(10_000, options.Recipients * 2)}",
    "--Logging:LogLevel:Default=Warning",
]);
await fake.StartAsync();
var fakeState = fake.Services.GetRequiredService<FakeGraphState>();
fakeState.RegisterPhoneNumber(new RegisteredPhoneNumber(phoneNumberId, "+1 555-0008888", "Broadcast Bench", new HashSet<string> { accessToken }));

using var api = new BenchApi(options.Api);
await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.Database) { MaxPoolSize = 2, CommandTimeout = 120 }.ConnectionString);

Console.WriteLine($"setting up: a bot on {phoneNumberId}, a one-template flow, {options.Recipients:N0} contacts");
var (token, botId, flowId) = await api.CreateBotWithTemplateFlowAsync(phoneNumberId, accessToken, runTag);
await using (var insert = db.CreateCommand("""
    INSERT INTO contacts (bot_id, organization_id, wa_id, created_at, inbound_cursor)
    SELECT @b, b.organization_id, '4940' || lpad(g::text, 9, '0'), now(), 0 FROM bots b, generate_series(1, @n) g WHERE b.id = @b
    """))
{
    insert.Parameters.AddWithValue("b", botId);
    insert.Parameters.AddWithValue("n", options.Recipients);
    await insert.ExecuteNonQueryAsync();
}

var triggerId = await api.CreateScheduleTriggerAsync(token, botId, flowId);
var memory = options.SiloPid is { } pid ? new MemorySampler(pid) : null;
var before = memory?.Sample();
var clock = Stopwatch.StartNew();
var startedAt = DateTimeOffset.UtcNow;
var runId = await api.RunNowAsync(token, triggerId);
Console.WriteLine($"run {runId} started at {startedAt:O}");

// Wait for the run to end and every message to reach the fake (or the time limit).
var deadline = TimeSpan.FromSeconds(options.Recipients / (double)options.Rate * 2 + 120);
string status = "running";
var lastReport = TimeSpan.Zero;
while (clock.Elapsed < deadline)
{
    memory?.Sample();
    var sent = fakeState.Requests(phoneNumberId, null, int.MaxValue).Count(r => r.HttpStatus == 200 && r.Path.EndsWith("/messages", StringComparison.Ordinal));
    if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
    {
        lastReport = clock.Elapsed;
        Console.WriteLine(FormattableString.Invariant($"  {clock.Elapsed.TotalSeconds,6:0} s: {sent:N0} messages at the fake, run {status}"));
    }

    if (status != "running" && sent >= options.Recipients)
    {
        break;
    }

    if (status == "running")
    {
        status = await api.RunStatusAsync(token, runId);
    }

    await Task.Delay(500);
}

var requests = fakeState.Requests(phoneNumberId, null, int.MaxValue)
    .Where(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal)).ToList();
var report = BroadcastReport.From(requests, startedAt, options, status, before, memory);
Console.WriteLine(report);
return report.Passed ? 0 : 1;
