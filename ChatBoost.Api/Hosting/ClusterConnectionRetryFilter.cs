namespace ChatBoost.Api.Hosting;

/// <summary>
/// Keeps trying to reach the cluster at start instead of crashing, so the API can start before the silos
/// (docker-compose, a silo restart). Stops when the process is asked to stop.
/// </summary>
public sealed class ClusterConnectionRetryFilter(ILogger<ClusterConnectionRetryFilter> logger) : IClientConnectionRetryFilter
{
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempt);
        logger.LogWarning("Cannot reach the Orleans cluster yet (attempt {Attempt}): {Reason}. Retrying.", attempt, exception.Message);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
