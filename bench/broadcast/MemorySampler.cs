using System.Globalization;

namespace ChatBoost.Bench.Broadcast;

/// <summary>The silo's resident memory (<c>VmRSS</c> of <c>/proc/PID/status</c>), sampled; the peak is kept.</summary>
internal sealed class MemorySampler(int pid)
{
    public long PeakBytes { get; private set; }

    public long Sample()
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = line is null ? 0 : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var bytes = kib * 1024;
        PeakBytes = Math.Max(PeakBytes, bytes);
        return bytes;
    }
}
