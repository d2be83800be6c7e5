using System.Globalization;

namespace ChatBoost.Bench.Conversation;

/// <summary>The benchmark's command line: where the running system is, and what to drive at it.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: ConversationBench --api URL --floor URL --database "<npgsql connection string of the API's database>"
                                 --app-secret S [--fake-port 8122] [--rates 100,300,1000] [--seconds 10]
                                 [--warmup-rate 50] [--warmup-seconds 3] [--floor-max-seconds 10] [--floor-connections 64]
                                 [--drain-seconds 30] [--settle-seconds 11] [--fake-rate 1000] [--timeout-seconds 10]
                                 [--max-connections 1024] [--keyword-triggers 0] [--cpu-pids "api=PID silo=PID,PID postgres=PID"]
        """;

    /// <summary>The API's base URL (signed webhooks go to /whatsapp/webhook).</summary>
    public required Uri Api { get; init; }

    /// <summary>bench/webhook's floor server (POST /floor: one INSERT per request).</summary>
    public required Uri Floor { get; init; }

    /// <summary>The API's database: pg_stat_database / pg_stat_user_tables are read there.</summary>
    public required string Database { get; init; }

    /// <summary>The platform's WHATSAPP_APP_SECRET: every webhook is signed with it, as Meta signs with the app's.</summary>
    public required string AppSecret { get; init; }

    /// <summary>The port the in-process fake Graph API listens on (the silo's WHATSAPP_API_BASE_URL points there).</summary>
    public int FakePort { get; init; } = 8122;

    public IReadOnlyList<double> Rates { get; init; } = [100, 300, 1000];

    public double Seconds { get; init; } = 10;

    public double WarmupRate { get; init; } = 50;

    public double WarmupSeconds { get; init; } = 3;

    /// <summary>0 skips the floor's closed-loop maximum (a smoke test).</summary>
    public double FloorMaxSeconds { get; init; } = 10;

    public int FloorConnections { get; init; } = 64;

    /// <summary>How long after a phase's last webhook the benchmark waits for replies still missing.</summary>
    public double DrainSeconds { get; init; } = 30;

    /// <summary>
    /// Quiet time before each statistics snapshot. PostgreSQL backends flush their table and transaction counters when
    /// idle, at most every second and within 10 s, so a snapshot taken sooner misses part of the phase.
    /// </summary>
    public double SettleSeconds { get; init; } = 11;

    /// <summary>The fake's FAKE_GRAPH_RATE_PER_SECOND: sends per phone number per second it accepts (Meta's top tier).</summary>
    public int FakeRate { get; init; } = 1000;

    public double TimeoutSeconds { get; init; } = 10;

    public int MaxConnections { get; init; } = 1024;

    /// <summary>Keyword triggers given to the bot before the run (none matches what the customers write): the matcher's cost.</summary>
    public int KeywordTriggers { get; init; }

    /// <summary>
    /// The process trees whose CPU is counted per floor request and per conversation (this benchmark's own, as
    /// <c>bench</c>, always): <c>name=PID[,PID...]</c> entries separated by spaces.
    /// </summary>
    public IReadOnlyList<(string Name, IReadOnlyList<int> Pids)> CpuTrees { get; init; } = CpuSnapshot.ParseTrees(null);

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"bad argument '{args[i]}'; expected --name value pairs");
            }

            values[args[i][2..]] = args[++i];
        }

        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        double Number(string name, double fallback) =>
            values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        int Integer(string name, int fallback) => (int)Number(name, fallback);

        var defaults = new BenchOptions { Api = new Uri("http://x"), Floor = new Uri("http://x"), Database = "", AppSecret = "" };
        var options = new BenchOptions
        {
            Api = new Uri(Required("api")),
            Floor = new Uri(Required("floor")),
            Database = Required("database"),
            AppSecret = Required("app-secret"),
            FakePort = Integer("fake-port", defaults.FakePort),
            Rates = values.TryGetValue("rates", out var rates)
                ? [.. rates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, CultureInfo.InvariantCulture))]
                : defaults.Rates,
            Seconds = Number("seconds", defaults.Seconds),
            WarmupRate = Number("warmup-rate", defaults.WarmupRate),
            WarmupSeconds = Number("warmup-seconds", defaults.WarmupSeconds),
            FloorMaxSeconds = Number("floor-max-seconds", defaults.FloorMaxSeconds),
            FloorConnections = Integer("floor-connections", defaults.FloorConnections),
            DrainSeconds = Number("drain-seconds", defaults.DrainSeconds),
            SettleSeconds = Number("settle-seconds", defaults.SettleSeconds),
            FakeRate = Integer("fake-rate", defaults.FakeRate),
            TimeoutSeconds = Number("timeout-seconds", defaults.TimeoutSeconds),
            MaxConnections = Integer("max-connections", defaults.MaxConnections),
            KeywordTriggers = Integer("keyword-triggers", 0),
            CpuTrees = CpuSnapshot.ParseTrees(values.GetValueOrDefault("cpu-pids")),
        };
        foreach (var uri in new[] { options.Api, options.Floor })
        {
            if (!uri.IsLoopback)
            {
                throw new ArgumentException($"{uri}: the benchmark sends traffic to 127.0.0.1 only");
            }
        }

        if (options.Rates.Count == 0 || options.Rates.Any(r => r is <= 0 or > 20_000) || options.Seconds is <= 0 or > 600
            || options.WarmupRate is < 0 or > 20_000 || options.WarmupSeconds is < 0 or > 60 || options.FloorMaxSeconds is < 0 or > 600
            || options.FloorConnections is < 1 or > 1024 || options.DrainSeconds is < 1 or > 600 || options.SettleSeconds is < 0 or > 120
            || options.FakeRate < 1 || options.KeywordTriggers is < 0 or > 2_000 || options.TimeoutSeconds is <= 0 or > 120 || options.MaxConnections < 1)
        {
            throw new ArgumentException("an option is out of range (rates 0..20000/s, seconds 0..600, drain 1..600 s, settle 0..120 s, ...)");
        }

        return options;
    }
}
