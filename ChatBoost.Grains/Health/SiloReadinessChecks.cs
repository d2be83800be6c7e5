using ChatBoost.Grains.Infrastructure;
using ChatBoost.Grains.WhatsApp.MessageStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ChatBoost.Grains.Health;

/// <summary>
/// A silo's readiness (<c>/health/ready</c> on its operations port): what this silo needs to do its work — PostgreSQL
/// answers through its own pool, and its batching writers' loops run (a silo whose writer loop broke can record nothing,
/// though its grains still answer). Liveness checks nothing.
/// </summary>
public static class SiloReadinessChecks
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddSiloReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresReadinessCheck>("postgresql", tags: [ReadyTag])
            .AddCheck<WriterLoopsReadinessCheck>("writers", tags: [ReadyTag]);
        return services;
    }
}

/// <summary><c>SELECT 1</c> through the silo's pool within 3 seconds.</summary>
public sealed class PostgresReadinessCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var connection = await database.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer ({e.GetType().Name}).");
        }
    }
}

/// <summary>The statement writer's loops and the message writer's loop run.</summary>
public sealed class WriterLoopsReadinessCheck(BatchingStatementWriter statements, BatchingMessageWriter messages) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopped = new List<string>(2);
        if (!statements.IsRunning)
        {
            stopped.Add("the statement writer");
        }

        if (!messages.IsRunning)
        {
            stopped.Add("the message writer");
        }

        return Task.FromResult(stopped.Count == 0
            ? HealthCheckResult.Healthy("The batching writers run.")
            : HealthCheckResult.Unhealthy($"Not running: {string.Join(", ", stopped)}."));
    }
}
