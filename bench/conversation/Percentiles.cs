using System.Globalization;

namespace ChatBoost.Bench.Conversation;

/// <summary>
/// Nearest-rank percentiles of latencies in milliseconds. A request that never got its answer (an error, a reply that
/// never came) is <see cref="double.PositiveInfinity"/>: it counts, so that a lost reply cannot improve a p99.
/// </summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> milliseconds) => _sorted = [.. milliseconds.Order()];

    public int Count => _sorted.Length;

    public double At(double percent) =>
        _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    public double P50 => At(50);

    public double P99 => At(99);

    public static string Ms(double value) => double.IsPositiveInfinity(value) ? "never" : double.IsNaN(value) ? "n/a"
        : value.ToString(value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    public string P50P99 => $"{Ms(P50)} / {Ms(P99)}";
}
