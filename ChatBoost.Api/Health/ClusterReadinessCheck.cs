using ChatBoost.Grains.Interfaces.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatBoost.Api.Health;

/// <summary>Ready = a silo answers a grain call and that silo reaches PostgreSQL, within a few seconds.</summary>
public sealed class ClusterReadinessCheck(IClusterClient cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var report = await cluster.GetGrain<IHealthGrain>(0).CheckAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return report.DatabaseReachable
                ? HealthCheckResult.Healthy("Cluster and PostgreSQL answer.")
                : HealthCheckResult.Unhealthy(report.Problem ?? "PostgreSQL does not answer.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The Orleans cluster does not answer ({e.GetType().Name}).");
        }
    }
}
