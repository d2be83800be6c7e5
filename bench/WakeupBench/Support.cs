using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ChatBoost.Bench.Wakeup;

/// <summary>The process's memory at one point: managed heap after a full collection, working set, activations.</summary>
internal sealed record MemorySnapshot(string Label, long ManagedBytes, long WorkingSetBytes, long ContactActivations, long TotalActivations)
{
    public override string ToString() => FormattableString.Invariant(
        $"{Label}: managed {ManagedBytes / 1048576.0:0.0} MiB, working set {WorkingSetBytes / 1048576.0:0.0} MiB, contact activations {ContactActivations:N0} (total {TotalActivations:N0})");
}

/// <summary>Prints a progress line every period until disposed.</summary>
internal sealed class Progress : IDisposable
{
    private readonly Timer _timer;

    public Progress(TimeSpan period, Func<string> line) => _timer = new Timer(_ => Console.WriteLine(line()), null, period, period);

    public void Dispose() => _timer.Dispose();
}

/// <summary>
/// Samples <c>pg_stat_activity</c> of the benchmark's database: how many client backends are connected, how many are
/// running a statement and what those wait on (no wait event = on CPU), averaged over the samples.
/// </summary>
internal sealed class ActivitySampler
{
    private readonly Dictionary<string, long> _byState = new(StringComparer.Ordinal);
    private long _samples;
    private long _connections;
    private long _active;

    public async Task SampleAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            SELECT state, wait_event_type, wait_event, count(*)
              FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
             GROUP BY 1, 2, 3
            """);
        await using var reader = await command.ExecuteReaderAsync();
        _samples++;
        while (await reader.ReadAsync())
        {
            var state = reader.IsDBNull(0) ? "?" : reader.GetString(0);
            var count = reader.GetInt64(3);
            _connections += count;
            if (state == "idle")
            {
                continue;
            }

            var wait = reader.IsDBNull(1) ? "CPU" : reader.GetString(1) + ":" + (reader.IsDBNull(2) ? "?" : reader.GetString(2));
            var key = state == "active" ? wait : state + (wait == "CPU" ? "" : " " + wait);
            _byState[key] = _byState.GetValueOrDefault(key) + count;
            if (state == "active")
            {
                _active += count;
            }
        }
    }

    public string Report()
    {
        if (_samples == 0)
        {
            return "no samples";
        }

        double Average(long total) => (double)total / _samples;
        var top = _byState.OrderByDescending(p => p.Value).Take(6)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {Average(p.Value):0.0}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{_samples} samples: avg {Average(_connections):0.0} connected, {Average(_active):0.0} active ({string.Join(", ", top)})");
    }
}

/// <summary>
/// Aggregates the silo's own instruments while the executions wake: Orleans' reminder, activation, request and scheduler
/// instruments (meter "Microsoft.Orleans") and Npgsql's (meter "Npgsql": command durations, connection-pool waits).
/// Observable instruments are left out. <see cref="Reset"/> starts a new window.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    private static readonly string[] OrleansPrefixes =
    [
        "orleans-reminders", "orleans-catalog-activation", "orleans-catalog-deactivation", "orleans-app-requests", "orleans-scheduler",
        "orleans-messaging-expired", "orleans-messaging-rejected", "orleans-storage",
    ];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Aggregate> _aggregates = new();

    public MetricsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            var wanted = !instrument.IsObservable && instrument.Meter.Name switch
            {
                "Microsoft.Orleans" => OrleansPrefixes.Any(p => instrument.Name.StartsWith(p, StringComparison.Ordinal)),
                "Npgsql" => true,
                _ => false,
            };
            if (wanted)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<float>((i, v, _, _) => Record(i, v));
        _listener.Start();
    }

    public void Reset() => _aggregates.Clear();

    public List<string> Report() =>
        _aggregates.Where(a => a.Value.Count > 0)
            .OrderBy(a => a.Key.Meter.Name, StringComparer.Ordinal).ThenBy(a => a.Key.Name, StringComparer.Ordinal)
            .Select(a => a.Value.Describe(a.Key))
            .ToList();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value) => _aggregates.GetOrAdd(instrument, _ => new Aggregate()).Add(value);

    private sealed class Aggregate
    {
        private readonly Lock _lock = new();
        private double _sum;
        private double _max = double.MinValue;

        public long Count { get; private set; }

        public void Add(double value)
        {
            lock (_lock)
            {
                Count++;
                _sum += value;
                _max = Math.Max(_max, value);
            }
        }

        public string Describe(Instrument instrument)
        {
            lock (_lock)
            {
                var unit = string.IsNullOrEmpty(instrument.Unit) ? "" : " " + instrument.Unit;
                return instrument is Histogram<double> or Histogram<long> or Histogram<int> or Histogram<float>
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{instrument.Meter.Name}/{instrument.Name}: {Count:N0} recorded, mean {_sum / Count:0.###}{unit}, max {_max:0.###}{unit}")
                    : string.Create(CultureInfo.InvariantCulture, $"{instrument.Meter.Name}/{instrument.Name}: sum {_sum:N0}{unit} ({Count:N0} updates)");
            }
        }
    }
}

/// <summary>Counts the silo's log entries (Warning and above) by level, category and event id, for the summary.</summary>
internal sealed class LogCounter : ILoggerProvider
{
    private readonly ConcurrentDictionary<(LogLevel Level, string Category, int EventId), long> _counts = new();

    public ILogger CreateLogger(string categoryName) => new CountingLogger(this, categoryName);

    public List<string> Report(int top) =>
        _counts.OrderByDescending(c => c.Value).Take(top)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Value,9:N0} {c.Key.Level} {c.Key.Category}[{c.Key.EventId}]"))
            .ToList();

    public void Dispose()
    {
    }

    private sealed class CountingLogger(LogCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._counts.AddOrUpdate((logLevel, category, eventId.Id), 1, (_, n) => n + 1);
    }
}
