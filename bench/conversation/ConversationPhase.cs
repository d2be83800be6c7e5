using System.Diagnostics;
using System.Globalization;

namespace ChatBoost.Bench.Conversation;

/// <summary>What one fixed-rate phase of new customers measured.</summary>
internal sealed record PhaseResult(
    double Rate,
    int Conversations,
    double AchievedRate,
    Percentiles Ack,
    Percentiles Reply,
    string AckFailures,
    int AckErrors,
    int Replied,
    int StatusesPosted,
    int StatusErrors,
    Percentiles StatusMs,
    PgDelta? Database,
    CpuDelta? Cpu,
    bool DrainTimedOut)
{
    public bool MeetsTargets => Ack.P99 <= 250 && Reply.P99 <= 1000;

    /// <summary>"0", or the count and its answers, e.g. "12 (503x12)".</summary>
    public string AckErrorsText => AckErrors == 0 ? "0" : $"{AckErrors} ({AckFailures})";
}

/// <summary>
/// One phase: N new customers each write once, at a fixed rate; each conversation is followed until its reply reaches
/// the fake and its three status webhooks are answered. Then, after a quiet time, the database's counters are read.
/// </summary>
internal sealed class ConversationPhase(OpenLoopDriver driver, ReplyWatcher watcher, BenchOptions options, Uri webhookUrl, string phoneNumberId, string runTag)
{
    private int _customers;

    public async Task<PhaseResult> RunAsync(string label, double rate, double seconds, Func<Task<(PgSnapshot Pg, CpuSnapshot Cpu)>>? snapshot, (PgSnapshot Pg, CpuSnapshot Cpu)? before)
    {
        var count = Math.Max(1, (int)Math.Round(rate * seconds));
        var webhooks = new SignedWebhook[count];
        var tracked = new TrackedConversation[count];
        for (var i = 0; i < count; i++)
        {
            // A new customer per message: digits only, unique within the run (run tag) and across runs on one database.
            var n = Interlocked.Increment(ref _customers);
            var waId = "1" + runTag + n.ToString("D8", CultureInfo.InvariantCulture);
            webhooks[i] = SignedWebhook.NewCustomer(phoneNumberId, waId, $"wamid.CONV{runTag}_{n:D8}", options.AppSecret);
            tracked[i] = watcher.Track(waId);
        }

        Console.WriteLine(FormattableString.Invariant($"[{DateTime.UtcNow:HH:mm:ss}] {label}: {count:N0} new customers at {rate}/s for {seconds} s"));
        var run = await driver.RunAsync(webhookUrl, webhooks, rate).ConfigureAwait(false);

        // Replies still on their way: wait for every acknowledged message's reply, bounded.
        var drain = Stopwatch.StartNew();
        var drainTimedOut = false;
        while (Enumerable.Range(0, count).Any(i => run.Shots[i].Status == 200 && tracked[i].ReplyAt is null))
        {
            if (drain.Elapsed.TotalSeconds > options.DrainSeconds)
            {
                drainTimedOut = true;
                break;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        var statusesDone = await watcher.WaitForStatusesAsync(TimeSpan.FromSeconds(options.DrainSeconds + 60)).ConfigureAwait(false);
        drainTimedOut |= !statusesDone;

        PgDelta? database = null;
        CpuDelta? cpu = null;
        if (snapshot is not null && before is { } from)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds)).ConfigureAwait(false);
            var to = await snapshot().ConfigureAwait(false);
            database = PgDelta.Between(from.Pg, to.Pg);
            cpu = CpuDelta.Between(from.Cpu, to.Cpu);
        }

        var ackMs = Enumerable.Range(0, count).Select(i => run.Shots[i].Status == 200
            ? run.Shots[i].AckTicks * 1000.0 / Stopwatch.Frequency
            : double.PositiveInfinity);
        var replyMs = Enumerable.Range(0, count).Select(i => tracked[i].ReplyAt is { } at
            ? Math.Max(0, (at - run.ScheduledAt(i)).TotalMilliseconds)
            : double.PositiveInfinity);
        var failures = run.Shots.Where(s => s.Status != 200).GroupBy(s => s.Status).OrderBy(g => g.Key)
            .Select(g => (g.Key < 0 ? "conn/timeout" : g.Key.ToString(CultureInfo.InvariantCulture)) + "x" + g.Count().ToString(CultureInfo.InvariantCulture));
        var posted = tracked.Where(t => t.StatusesPosted).ToList();
        return new PhaseResult(
            rate,
            count,
            count / run.SendSeconds,
            new Percentiles(ackMs),
            new Percentiles(replyMs),
            string.Join(' ', failures),
            run.Shots.Count(s => s.Status != 200),
            tracked.Count(t => t.ReplyAt is not null),
            posted.Count,
            posted.Sum(t => t.StatusErrors < 0 ? 3 : t.StatusErrors),
            new Percentiles(posted.Select(t => t.StatusMs)),
            database,
            cpu,
            drainTimedOut);
    }
}
