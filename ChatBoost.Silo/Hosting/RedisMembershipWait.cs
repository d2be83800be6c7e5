using ChatBoost.Hosting;
using StackExchange.Redis;

namespace ChatBoost.Silo.Hosting;

/// <summary>
/// At silo start, before Orleans starts (hosted services start in registration order), waits until the membership's
/// Redis answers a PING, probing every <see cref="Interval"/> for at most <c>REDIS_STARTUP_WAIT_SECONDS</c>. Without it a
/// silo started while Redis is down crashes at once: Orleans' Redis membership table connects with
/// <c>AbortOnConnectFail</c> and the silo's start fails on the first refused connection (measured in the fault suite's
/// Redis scenario: exit 134). The operations port answers liveness meanwhile (it starts earlier); past the budget the
/// silo exits with a clear message for its supervisor to restart it.
/// </summary>
internal sealed partial class RedisMembershipWait(ConfigurationOptions redis, TimeSpan budget, TimeProvider time, ILogger<RedisMembershipWait> logger)
    : IHostedService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = string.Join(", ", redis.EndPoints);
        var failed = await StartupWait.UntilAsync(PingAsync, budget, Interval, time, (failures, waited) =>
        {
            // The first refusal, then about every 10 s: a silo waiting out a long outage does not flood its log.
            if (failures % 5 == 1)
            {
                LogWaiting(logger, endpoints, (long)waited.TotalSeconds, (long)budget.TotalSeconds);
            }
        }, cancellationToken).ConfigureAwait(false);
        if (failed is null)
        {
            throw new StartupDependencyException(
                $"Redis (cluster membership) at {endpoints} did not answer within REDIS_STARTUP_WAIT_SECONDS={budget.TotalSeconds:0}; the silo does not start.");
        }

        if (failed > 0)
        {
            LogReached(logger, endpoints, failed.Value);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        var options = redis.Clone();
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = (int)Interval.TotalMilliseconds;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
            await connection.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for Redis (cluster membership) at {Endpoints}: not reachable for {WaitedSeconds} s (giving up after {BudgetSeconds} s)")]
    private static partial void LogWaiting(ILogger logger, string endpoints, long waitedSeconds, long budgetSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis (cluster membership) at {Endpoints} answered after {Failures} failed probes; the silo starts")]
    private static partial void LogReached(ILogger logger, string endpoints, int failures);
}
