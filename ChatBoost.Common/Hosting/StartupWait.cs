namespace ChatBoost.Hosting;

/// <summary>
/// Waits at start for a dependency the process cannot start without: probes it every interval until it answers, the
/// budget runs out, or the process is asked to stop. The probe's own time counts against the budget.
/// </summary>
public static class StartupWait
{
    /// <param name="probe">True when the dependency answers; it must bound its own time and not throw for "unreachable".</param>
    /// <param name="stillWaiting">Told after each failed probe: the failures so far and the time waited.</param>
    /// <returns>How many probes failed before one answered; null when the budget ran out first.</returns>
    /// <exception cref="OperationCanceledException">The process is stopping.</exception>
    public static async Task<int?> UntilAsync(
        Func<CancellationToken, Task<bool>> probe,
        TimeSpan budget,
        TimeSpan interval,
        TimeProvider time,
        Action<int, TimeSpan> stillWaiting,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(stillWaiting);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var started = time.GetTimestamp();
        for (var failed = 0; ; failed++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await probe(cancellationToken).ConfigureAwait(false))
            {
                return failed;
            }

            var waited = time.GetElapsedTime(started);
            stillWaiting(failed + 1, waited);
            if (waited + interval > budget)
            {
                return null;
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
