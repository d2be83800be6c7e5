using System.Diagnostics;
using System.Globalization;
using ChatBoost.Bench.Keywords;
using ChatBoost.Grains.Triggers.Matching;

// KeywordBench: KeywordMatcher.Match for a bot with N keyword triggers (a realistic mix of match types), single thread,
// against the floor of the same messages through a matcher with no triggers (normalisation and nothing else).
// Usage: dotnet run -c Release --project bench/KeywordBench -- [--triggers 1000] [--messages 20000] [--seconds 5]
var triggers = Argument("--triggers", 1000);
var messageCount = Argument("--messages", 20_000);
var seconds = Argument("--seconds", 5);

var corpus = new Corpus(seed: 20261202);
var rules = corpus.Rules(triggers);
var messages = corpus.Messages(rules, messageCount);
var matcher = new KeywordMatcher(rules);
var floor = KeywordMatcher.Empty;

Console.WriteLine(FormattableString.Invariant(
    $"{triggers:N0} triggers ({Corpus.Describe(rules)}), {messageCount:N0} messages ({corpus.HitShare:P0} written to hit a trigger)"));
var floorRun = Measure(floor, messages, TimeSpan.FromSeconds(1)); // warm-up, then the floor
floorRun = Measure(floor, messages, TimeSpan.FromSeconds(seconds));
Measure(matcher, messages, TimeSpan.FromSeconds(1));
var run = Measure(matcher, messages, TimeSpan.FromSeconds(seconds));

Console.WriteLine("```");
Console.WriteLine(floorRun.Line("floor (no triggers)"));
Console.WriteLine(run.Line($"{triggers:N0} triggers"));
Console.WriteLine(FormattableString.Invariant($"ratio to the floor: {run.PerSecond / floorRun.PerSecond:0.000}x the matches/s; {run.Matched:P1} of messages matched"));
Console.WriteLine("```");
return 0;

int Argument(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture) : fallback;
}

static RunResult Measure(KeywordMatcher matcher, IReadOnlyList<string> messages, TimeSpan duration)
{
    // Each call timed on its own: the latency distribution is per message, not per batch.
    var latencies = new List<long>(1 << 20);
    long calls = 0, matched = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < duration)
    {
        foreach (var message in messages)
        {
            var start = Stopwatch.GetTimestamp();
            var hit = matcher.Match(message);
            latencies.Add(Stopwatch.GetTimestamp() - start);
            calls++;
            if (hit is not null)
            {
                matched++;
            }
        }
    }

    var elapsed = clock.Elapsed;
    latencies.Sort();
    double Micros(double q) => latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)] * 1_000_000.0 / Stopwatch.Frequency;
    return new RunResult(calls / elapsed.TotalSeconds, Micros(0.5), Micros(0.99), Micros(1), (double)matched / calls);
}

internal sealed record RunResult(double PerSecond, double P50Micros, double P99Micros, double MaxMicros, double Matched)
{
    public string Line(string label) => FormattableString.Invariant(
        $"{label,-22} {PerSecond,12:N0} matches/s   p50 {P50Micros,7:0.0} µs   p99 {P99Micros,7:0.0} µs   max {MaxMicros,9:0.0} µs");
}
