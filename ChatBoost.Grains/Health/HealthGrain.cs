using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.Interfaces.Health;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Concurrency;

namespace ChatBoost.Grains.Health;

/// <inheritdoc cref="IHealthGrain"/>
[StatelessWorker]
[Reentrant]
public sealed class HealthGrain(Database database, ILogger<HealthGrain> logger) : Grain, IHealthGrain
{
    public async Task<HealthReport> CheckAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await using var connection = await database.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return new HealthReport(true, null);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogWarning("Readiness: PostgreSQL does not answer: {Reason}", e.Message);
            return new HealthReport(false, "PostgreSQL does not answer.");
        }
    }
}
