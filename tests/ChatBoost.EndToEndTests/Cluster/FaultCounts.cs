using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace ChatBoost.EndToEndTests.Cluster;

/// <summary>What one scenario of the fault suite measured; one row of the table.</summary>
public sealed record FaultCounts(string Scenario)
{
    public int Sent { get; init; }

    public int Acknowledged { get; init; }

    /// <summary>503 answers (each attempt counts), which the driver retried.</summary>
    public int Responses503 { get; init; }

    public int Other5xx { get; init; }

    /// <summary>Attempts that got no HTTP answer (connection refused or reset, or slower than the driver's 20 s).</summary>
    public int BrokenConnections { get; init; }

    /// <summary>Sent messages with their row in <c>messages</c>.</summary>
    public int Stored { get; init; }

    /// <summary>Acknowledged customers with at least one reply accepted by the fake Graph API.</summary>
    public int Replied { get; init; }

    /// <summary>Customers with more than one reply accepted.</summary>
    public int Duplicates { get; init; }

    /// <summary>Replies marked <c>in_doubt</c> (in flight at a crash; never resent).</summary>
    public int InDoubt { get; init; }

    public long ExecutionsEnded { get; init; }

    public TimeSpan LongestWebhook { get; init; }

    public IReadOnlyList<string> AcknowledgedNotStored { get; init; } = [];

    public IReadOnlyList<string> AcknowledgedUnanswered { get; init; } = [];

    /// <summary>Scenario-specific measurements (take-over time, declared dead after, …).</summary>
    public string? Note { get; init; }

    public static string Header =>
        "| scenario | sent | acked | 503 | other 5xx | no answer | stored | replied | duplicates | in doubt | longest webhook | notes |\n" +
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Sent} | {Acknowledged} | {Responses503} | {Other5xx} | {BrokenConnections} | {Stored} | {Replied} | {Duplicates} | {InDoubt} | {LongestWebhook.TotalSeconds:0.0} s | {Note} |");

    /// <summary>The guarantees every scenario checks: acknowledged ⊆ stored; every acknowledged message answered once, or in doubt.</summary>
    public void AssertNothingAcknowledgedLost()
    {
        Assert.True(AcknowledgedNotStored.Count == 0, $"{AcknowledgedNotStored.Count} acknowledged but not stored: {string.Join(", ", AcknowledgedNotStored.Take(5))}");
        Assert.True(AcknowledgedUnanswered.Count == 0,
            $"{AcknowledgedUnanswered.Count} acknowledged without a reply and not in doubt: {string.Join(", ", AcknowledgedUnanswered.Take(5))}");
        Assert.Equal(0, Duplicates);
    }
}

/// <summary>
/// Collects every scenario's row and prints the table when the suite ends (to the console and to
/// <c>$TMPDIR/chatboost-cluster-faults.md</c>, also when only some scenarios ran).
/// </summary>
public sealed class FaultTable : IDisposable
{
    private static readonly ConcurrentQueue<FaultCounts> Rows = new();

    public static string Path => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chatboost-cluster-faults.md");

    public static void Add(FaultCounts counts)
    {
        Rows.Enqueue(counts);
        File.WriteAllText(Path, Render());
    }

    public static string Render()
    {
        var text = new StringBuilder().AppendLine(FaultCounts.Header);
        foreach (var row in Rows)
        {
            text.AppendLine(row.Row);
        }

        return text.ToString();
    }

    public void Dispose()
    {
        if (!Rows.IsEmpty)
        {
            Console.WriteLine("Cluster fault suite (" + Path + "):\n" + Render());
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterFaultCollection : ICollectionFixture<FaultTable>
{
    public const string Name = "Cluster fault suite";
}
