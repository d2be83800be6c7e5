using System.Globalization;
using System.Text;
using ChatBoost.FakeGraphApi;

namespace ChatBoost.Bench.Broadcast;

/// <summary>
/// The run as the fake Graph API (Meta) saw it: the achieved rate between the first and the last accepted message and its
/// ratio to the configured rate (the floor: no correct pacer can beat it), the busiest second, 130429 refusals, time to
/// the first message, duplicates and recipients missed, and the silo's memory.
/// </summary>
internal sealed record BroadcastReport(
    BroadcastOptions Options,
    string RunStatus,
    int Requests,
    int Accepted,
    int Recipients,
    int Duplicates,
    int Throttled,
    int BusiestSecond,
    TimeSpan BusiestSecondAt,
    string Refusals,
    TimeSpan TimeToFirst,
    TimeSpan Sending,
    double AchievedRate,
    long? SiloBytesBefore,
    long? SiloBytesPeak)
{
    public double Ratio => AchievedRate / Options.Rate;

    public bool Passed => RunStatus == "completed" && Recipients == Options.Recipients && Duplicates == 0 && Throttled == 0
        && BusiestSecond <= Options.MetaRate && Ratio is >= 0.95 and <= MaxRatio;

    /// <summary>"Never above" the configured rate, measured between two arrivals: their jitter (tens of ms over minutes) is allowed.</summary>
    private const double MaxRatio = 1.005;

    public static BroadcastReport From(
        IReadOnlyList<RecordedRequest> requests, DateTimeOffset startedAt, BroadcastOptions options, string status, long? before, MemorySampler? memory)
    {
        var accepted = requests.Where(r => r.HttpStatus == 200).OrderBy(r => r.Time).ToList();
        var recipients = accepted.Select(r => r.To).Distinct(StringComparer.Ordinal).Count();
        var times = requests.Select(r => r.Time).Order().ToArray();
        var (busiest, busiestAt) = (0, TimeSpan.Zero);
        for (int start = 0, end = 0; start < times.Length; start++)
        {
            while (end < times.Length && times[end] - times[start] < TimeSpan.FromSeconds(1))
            {
                end++;
            }

            if (end - start > busiest)
            {
                (busiest, busiestAt) = (end - start, times[start] - times[0]);
            }
        }

        var sending = accepted.Count > 1 ? accepted[^1].Time - accepted[0].Time : TimeSpan.Zero;
        return new BroadcastReport(
            options,
            status,
            requests.Count,
            accepted.Count,
            recipients,
            accepted.Count - recipients,
            requests.Count(r => r.ErrorCode == 130429),
            busiest,
            busiestAt,
            Describe(requests, times),
            accepted.Count > 0 ? accepted[0].Time - startedAt : TimeSpan.Zero,
            sending,
            sending > TimeSpan.Zero ? (accepted.Count - 1) / sending.TotalSeconds : 0,
            before,
            memory?.PeakBytes);
    }

    /// <summary>
    /// When the fake answered 130429 (seconds after the first request) and, before the first, the gaps between arrivals in
    /// ms: a stall then a burst shows as one long gap and gaps near 0, departures bunched by the sender as gaps under the pace.
    /// </summary>
    private static string Describe(IReadOnlyList<RecordedRequest> requests, DateTimeOffset[] times)
    {
        var refused = requests.Where(r => r.ErrorCode == 130429).Select(r => r.Time).Order().ToList();
        if (refused.Count == 0)
        {
            return "";
        }

        var before = times.Where(t => t <= refused[0]).TakeLast(25).ToList();
        var gaps = before.Zip(before.Skip(1), (a, b) => ((int)(b - a).TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return string.Create(CultureInfo.InvariantCulture,
            $"at {string.Join(", ", refused.Take(10).Select(t => $"{(t - times[0]).TotalSeconds:0.00}s"))}; gaps before the first (ms): {string.Join(" ", gaps)}");
    }

    public override string ToString()
    {
        static string MiB(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "n/a";
        var text = new StringBuilder();
        text.AppendLine("```");
        text.AppendLine(CultureInfo.InvariantCulture, $"broadcast: {Options.Recipients:N0} recipients, configured {Options.Rate}/s (the fake allows {Options.MetaRate} in any second)");
        text.AppendLine(CultureInfo.InvariantCulture, $"run status          {RunStatus}");
        text.AppendLine(CultureInfo.InvariantCulture, $"messages accepted   {Accepted:N0} to {Recipients:N0} recipients ({Options.Recipients - Recipients:N0} missed, {Duplicates:N0} duplicates)");
        text.AppendLine(CultureInfo.InvariantCulture, $"requests at the fake {Requests:N0}; refused 130429: {Throttled:N0}; busiest second: {BusiestSecond} (from {BusiestSecondAt.TotalSeconds:0.00} s)");
        if (Refusals.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"130429s             {Refusals}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"time to first       {TimeToFirst.TotalMilliseconds:N0} ms after POST /triggers/{{id}}/runs");
        text.AppendLine(CultureInfo.InvariantCulture, $"achieved rate       {AchievedRate:0.00}/s over {Sending.TotalSeconds:0.0} s = {Ratio:0.000}x the configured rate (the floor)");
        text.AppendLine(CultureInfo.InvariantCulture, $"silo memory (RSS)   before {MiB(SiloBytesBefore)}, peak {MiB(SiloBytesPeak)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"verdict             {(Passed ? "PASS" : "FAIL")} (completed, everyone once, no 130429, no second above the fake's limit, 0.95x to 1.005x)");
        text.Append("```");
        return text.ToString();
    }
}
