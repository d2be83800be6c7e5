using System.Globalization;
using System.Text;

namespace ChatBoost.Bench.Conversation;

/// <summary>The copyable summary: the floor, each phase, the sustained rate and the database's work per conversation.</summary>
internal static class Report
{
    public sealed record Inputs(
        BenchOptions Options,
        (long Ok, long Errors, double Seconds, double[] LatenciesMs)? FloorMax,
        CpuDelta? FloorCpu,
        IReadOnlyDictionary<double, (Percentiles Ack, int Errors)> FloorAtRate,
        PgDelta Idle,
        CpuDelta IdleCpu,
        IReadOnlyList<PhaseResult> Phases,
        ReplyWatcher Watcher,
        string LoadBefore,
        string LoadAfter);

    public static string Summary(Inputs x)
    {
        var o = x.Options;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(FormattableString.Invariant(line));

        text.AppendLine().AppendLine("```");
        Line($"bench/conversation: new customer -> signed webhook -> default flow (1 send_message) -> reply at the fake Graph API -> 3 status webhooks");
        Line($"open loop, {o.Seconds} s per rate, a new contact per message; number paced at Meta's top tier (fake {o.FakeRate}/s); {Environment.ProcessorCount} cores, load {x.LoadBefore} -> {x.LoadAfter}");
        double? floorRps = null;
        if (x.FloorMax is { } max)
        {
            floorRps = max.Ok / max.Seconds;
            var latencies = new Percentiles(max.LatenciesMs);
            Line($"floor (one INSERT per POST, same PostgreSQL), closed loop {o.FloorConnections} connections: {floorRps:N0} req/s, p50/p99 {latencies.P50P99} ms, errors {max.Errors}");
        }

        text.AppendLine();
        Line($"{"rate/s",7} | {"floor ack p50/p99",17} | {"ack p50/p99 ms",15} | {"reply p50/p99 ms",16} | {"replied",13} | {"ack errors",18} | {"status err",10} | {"tx/conv",7} | {"rows/conv (ins+upd)",19} | ok");
        foreach (var p in x.Phases)
        {
            var floor = x.FloorAtRate.TryGetValue(p.Rate, out var f) ? f.Ack.P50P99 + (f.Errors > 0 ? $" e{f.Errors}" : "") : "-";
            var (tx, rows) = PerConversation(p, x.Idle);
            Line($"{p.Rate,7} | {floor,17} | {p.Ack.P50P99,15} | {p.Reply.P50P99,16} | {$"{p.Replied}/{p.Conversations}",13} | {p.AckErrorsText,18} | {p.StatusErrors,10} | {tx,7} | {rows,19} | {(p.MeetsTargets ? "yes" : "no")}");
        }

        text.AppendLine();
        var sustained = x.Phases.Where(p => p.MeetsTargets).Select(p => p.Rate).DefaultIfEmpty(0).Max();
        var ratio = floorRps is > 0 && sustained > 0 ? FormattableString.Invariant($" = {sustained / floorRps.Value:0.00}x the floor") : "";
        Line($"sustained conversations/s (highest tested rate with ack p99 <= 250 ms and reply p99 <= 1 s): {(sustained > 0 ? sustained.ToString(CultureInfo.InvariantCulture) : "none of the tested rates")}{ratio}");
        Line($"(an ack error or a missing reply counts as an infinite latency; tx = pg_stat_database xact_commit, rows = pg_stat_user_tables n_tup_ins + n_tup_upd,");
        Line($" both per conversation, warm-up excluded, the idle system's {x.Idle.Commits / Math.Max(1, x.Idle.Seconds):0.0} tx/s and {(x.Idle.Inserted + x.Idle.Updated) / Math.Max(1, x.Idle.Seconds):0.0} rows/s subtracted; status webhooks included)");
        foreach (var p in x.Phases)
        {
            if (p.Database is not { } database)
            {
                continue;
            }

            var top = database.Tables.Where(t => t.Value.Written > 0).OrderByDescending(t => t.Value.Written).Take(8)
                .Select(t => FormattableString.Invariant($"{t.Key.Replace("public.", "", StringComparison.Ordinal)} {t.Value.Inserted / (double)p.Conversations:0.##}i+{t.Value.Updated / (double)p.Conversations:0.##}u"));
            Line($"  {p.Rate}/s rows per conversation by table: {string.Join(", ", top)}; rollbacks {database.Rollbacks}; status webhooks (3 in a row) p50/p99 {p.StatusMs.P50P99} ms");
            if (p.DrainTimedOut)
            {
                Line($"  {p.Rate}/s: WARNING the drain timed out ({o.DrainSeconds} s): replies or status webhooks were still missing when the counters were read");
            }

            if (p.AchievedRate < p.Rate * 0.95)
            {
                Line($"  {p.Rate}/s: WARNING the driver reached only {p.AchievedRate:0}/s (the load generator is short of CPU)");
            }
        }

        CpuLines(x, floorRps, Line);

        var failures = x.Watcher.SendFailures.Count == 0 ? "none"
            : string.Join(", ", x.Watcher.SendFailures.OrderBy(f => f.Key).Select(f => FormattableString.Invariant($"code {f.Key} x{f.Value}")));
        Line($"sends the fake refused: {failures}; duplicate replies {x.Watcher.DuplicateReplies}; replies to unknown customers {x.Watcher.UnknownReplies}; possibly missed polls {x.Watcher.PossiblyMissed}");
        if (double.TryParse(x.LoadBefore, CultureInfo.InvariantCulture, out var load) && load >= 0.5 * Environment.ProcessorCount)
        {
            Line($"NOTE: the machine was already busy before the runs (load {x.LoadBefore}): the numbers are unreliable.");
        }

        text.AppendLine("```");
        return text.ToString();
    }

    /// <summary>
    /// CPU per floor request and per conversation by process tree, the idle system's rate subtracted, and what that
    /// CPU alone allows: at C CPU-seconds per conversation the machine's cores hold at most cores / C conversations a
    /// second, so the ratio to the floor's measured maximum can be at most that over the floor's rate; the benchmark's
    /// own share (load generator, fake Graph API, status webhooks) bounds it even for a system that cost nothing.
    /// </summary>
    private static void CpuLines(Inputs x, double? floorRps, Action<FormattableString> line)
    {
        var names = x.IdleCpu.Cpu.Keys.ToList();
        double PerUnit(CpuDelta d, string name, double units) =>
            Math.Max(0, d.Cpu[name] - (x.IdleCpu.Cpu[name] / Math.Max(1, x.IdleCpu.Seconds) * d.Seconds)) / units * 1000;
        line($"");
        line($"CPU ms per floor request / per conversation (status webhooks included, the idle rate subtracted; bench = load generator + fake Graph API):");
        line($"{"",22} | {string.Join(" | ", names.Select(n => $"{n,8}"))} | {"total",8}");
        if (x.FloorCpu is { } floor && x.FloorMax is { } max && max.Ok > 0)
        {
            line($"{"floor, per request",22} | {string.Join(" | ", names.Select(n => $"{PerUnit(floor, n, max.Ok),8:0.000}"))} | {names.Sum(n => PerUnit(floor, n, max.Ok)),8:0.000}");
        }

        foreach (var p in x.Phases.Where(p => p.Cpu is not null && p.Conversations > 0))
        {
            var total = names.Sum(n => PerUnit(p.Cpu!, n, p.Conversations));
            var bench = names.Contains("bench") ? PerUnit(p.Cpu!, "bench", p.Conversations) : 0;
            line($"{$"{p.Rate}/s, per conversation",22} | {string.Join(" | ", names.Select(n => $"{PerUnit(p.Cpu!, n, p.Conversations),8:0.000}"))} | {total,8:0.000}");
            if (floorRps is > 0 && total > 0)
            {
                var most = Environment.ProcessorCount / total * 1000;
                var benchMost = bench > 0 ? Environment.ProcessorCount / bench * 1000 : double.PositiveInfinity;
                line($"{"",22}   this CPU allows at most {most:N0} conversations/s on {Environment.ProcessorCount} cores = {most / floorRps.Value:0.00}x the floor; the benchmark's own share alone, {benchMost / floorRps.Value:0.00}x");
            }
        }
    }

    /// <summary>Transactions and rows written per conversation in a phase, net of the idle system's rate over the same window.</summary>
    private static (string Transactions, string Rows) PerConversation(PhaseResult p, PgDelta idle)
    {
        if (p.Database is not { } d || p.Conversations == 0)
        {
            return ("-", "-");
        }

        var idleSeconds = Math.Max(1, idle.Seconds);
        var tx = (d.Commits - (idle.Commits / idleSeconds * d.Seconds)) / p.Conversations;
        var inserted = (d.Inserted - (idle.Inserted / idleSeconds * d.Seconds)) / p.Conversations;
        var updated = (d.Updated - (idle.Updated / idleSeconds * d.Seconds)) / p.Conversations;
        return (FormattableString.Invariant($"{tx:0.0}"), FormattableString.Invariant($"{inserted + updated:0.0} ({inserted:0.0}+{updated:0.0})"));
    }
}
