using System.Globalization;

namespace ChatBoost.Bench.Broadcast;

/// <summary>
/// The command line: <c>--api URL --database "npgsql" --rate R [--meta-rate M] [--recipients N] [--fake-port P] [--silo-pid PID]</c>.
/// <c>--rate</c> must be the silo's <c>WHATSAPP_RATE_PER_SECOND</c>; the fake allows <c>--meta-rate</c> sends in any second
/// (Meta's limit; by default the same, no margin).
/// </summary>
internal sealed record BroadcastOptions(Uri Api, string Database, int Rate, int MetaRate, int Recipients, int FakePort, int? SiloPid)
{
    public static BroadcastOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required.");
        int Number(string name, int fallback, int min, int max)
        {
            var value = values.TryGetValue(name, out var v) ? int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;
            return value >= min && value <= max ? value : throw new ArgumentException($"{name} must be from {min} to {max}.");
        }

        var rate = Number("--rate", 80, 1, 1000);
        return new BroadcastOptions(
            new Uri(Required("--api")),
            Required("--database"),
            rate,
            Number("--meta-rate", rate, rate, 1000),
            Number("--recipients", 10_000, 1, 1_000_000),
            Number("--fake-port", 8142, 1, 65535),
            values.ContainsKey("--silo-pid") ? Number("--silo-pid", 0, 1, int.MaxValue) : null);
    }
}
