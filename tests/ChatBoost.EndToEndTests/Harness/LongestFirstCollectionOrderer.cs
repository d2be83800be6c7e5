using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("ChatBoost.EndToEndTests.Harness.LongestFirstCollectionOrderer", "ChatBoost.EndToEndTests")]

namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// Roughly how long a collection runs on the CI machine, its fixture included, in seconds: read by
/// <see cref="LongestFirstCollectionOrderer"/> from the collection's definition class. A hint for the run's order, never a limit.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExpectedDurationAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}

/// <summary>
/// xunit starts collections in this order, <c>maxParallelThreads</c> at a time (xunit.runner.json), each as soon as one ends.
/// Left to its default (an order by hash), a four-minute collection could start last and run alone at the end. This starts the
/// collections whose definition names an <see cref="ExpectedDurationAttribute"/> first, longest first, then the rest in xunit's
/// default order, so the run's wall time stays near its total work divided by the threads. It changes when a test runs, never
/// what it checks. Collections with parallelization disabled still run after all the others, one at a time.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer _default = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderByDescending(ExpectedSeconds).ToList();

    private static int ExpectedSeconds(ITestCollection collection) =>
        collection.CollectionDefinition?.GetCustomAttributes(typeof(ExpectedDurationAttribute)).FirstOrDefault()
            ?.GetConstructorArguments().FirstOrDefault() is int seconds ? seconds : 0;
}
