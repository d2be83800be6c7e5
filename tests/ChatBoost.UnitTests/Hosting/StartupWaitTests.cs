using ChatBoost.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ChatBoost.UnitTests.Hosting;

public class StartupWaitTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ADependencyThatAnswersAtOnceIsNotWaitedFor()
    {
        var told = new List<int>();
        var failed = await StartupWait.UntilAsync(_ => Task.FromResult(true), TimeSpan.FromSeconds(10), Interval,
            new FakeTimeProvider(), (n, _) => told.Add(n), CancellationToken.None);
        Assert.Equal(0, failed);
        Assert.Empty(told);
    }

    [Fact]
    public async Task ItProbesEveryIntervalUntilTheDependencyAnswers_TellingEachFailure()
    {
        var time = new FakeTimeProvider();
        var probes = 0;
        var told = new List<(int Failures, TimeSpan Waited)>();
        var wait = StartupWait.UntilAsync(_ => Task.FromResult(++probes == 3), TimeSpan.FromSeconds(60), Interval, time,
            (n, waited) => told.Add((n, waited)), CancellationToken.None);

        await AdvanceWhileRunningAsync(time, wait);
        Assert.Equal(2, await wait);
        Assert.Equal(3, probes);
        Assert.Equal([(1, TimeSpan.Zero), (2, Interval)], told);
    }

    [Fact]
    public async Task ItGivesUpWhenTheNextProbeWouldPassTheBudget()
    {
        var time = new FakeTimeProvider();
        var probes = 0;
        var wait = StartupWait.UntilAsync(_ => Task.FromResult(++probes < 0), TimeSpan.FromSeconds(5), Interval, time,
            (_, _) => { }, CancellationToken.None);

        await AdvanceWhileRunningAsync(time, wait);
        Assert.Null(await wait);
        Assert.Equal(3, probes); // at 0, 2 and 4 s; a fourth at 6 s would pass the 5 s budget
    }

    [Fact]
    public async Task AStoppingProcessEndsTheWait()
    {
        var time = new FakeTimeProvider();
        using var stopping = new CancellationTokenSource();
        var wait = StartupWait.UntilAsync(_ => Task.FromResult(false), TimeSpan.FromMinutes(5), Interval, time,
            (_, _) => { }, stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    /// <summary>Moves the fake clock one interval at a time until the wait ends (bounded: a wait that never ends fails).</summary>
    private static async Task AdvanceWhileRunningAsync(FakeTimeProvider time, Task wait)
    {
        for (var step = 0; step < 100 && !wait.IsCompleted; step++)
        {
            await Task.Yield();
            time.Advance(Interval);
        }

        Assert.True(wait.IsCompleted, "the wait did not end");
    }
}
