using System.Globalization;

namespace ChatBoost.Bench.Conversation;

/// <summary>
/// CPU seconds used so far by named process trees (the silo, the API, PostgreSQL, this benchmark with its fake Graph
/// API), from <c>/proc</c>. A tree is the process and its live descendants, each with its own time (utime + stime) and
/// that of its children already ended (cutime + cstime): PostgreSQL's closed backends count in the postmaster's. These
/// are the kernel's per-task run times; the machine-wide ticks of <c>/proc/stat</c> are sampled, and on a tickless
/// kernel miss much of many short wake-ups, so they are not used. Same rule as bench/webhook/cpu_snapshot.py.
/// </summary>
internal sealed record CpuSnapshot(DateTimeOffset At, IReadOnlyDictionary<string, double> Seconds)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux architecture .NET runs on

    public static CpuSnapshot Take(IReadOnlyList<(string Name, IReadOnlyList<int> Pids)> trees)
    {
        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // The command name may hold spaces and parentheses: the fields start after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = 0L;
                for (var i = 11; i <= 14; i++)
                {
                    ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }

                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), ticks);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // ended while we looked, or not ours to read
            }
        }

        var children = processes.GroupBy(p => p.Value.Parent).ToDictionary(g => g.Key, g => g.Select(p => p.Key).ToList());
        double TreeSeconds(int root)
        {
            var ticks = 0L;
            var todo = new Stack<int>([root]);
            while (todo.TryPop(out var pid))
            {
                if (processes.TryGetValue(pid, out var process))
                {
                    ticks += process.Ticks;
                    foreach (var child in children.GetValueOrDefault(pid) ?? [])
                    {
                        todo.Push(child);
                    }
                }
            }

            return ticks / TicksPerSecond;
        }

        return new CpuSnapshot(DateTimeOffset.UtcNow, trees.ToDictionary(t => t.Name, t => t.Pids.Sum(TreeSeconds), StringComparer.Ordinal));
    }

    /// <summary><c>api=PID silo=PID,PID postgres=PID</c> (space-separated), and this process as <c>bench</c>.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<int> Pids)> ParseTrees(string? spec)
    {
        var trees = new List<(string, IReadOnlyList<int>)> { ("bench", [Environment.ProcessId]) };
        foreach (var entry in (spec ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = entry.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new ArgumentException($"--cpu-pids: '{entry}' is not name=PID[,PID...]");
            }

            trees.Add((entry[..at], [.. entry[(at + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]));
        }

        return trees;
    }
}

/// <summary>CPU seconds each tree took between two snapshots.</summary>
internal sealed record CpuDelta(double Seconds, IReadOnlyDictionary<string, double> Cpu)
{
    public static CpuDelta Between(CpuSnapshot before, CpuSnapshot after) => new(
        (after.At - before.At).TotalSeconds,
        after.Seconds.ToDictionary(t => t.Key, t => t.Value - before.Seconds.GetValueOrDefault(t.Key), StringComparer.Ordinal));
}
