namespace ChatBoost.Grains.Interfaces.Health;

[GenerateSerializer, Immutable, Alias("chatboost.health.HealthReport")]
public sealed record HealthReport(
    [property: Id(0)] bool DatabaseReachable,
    [property: Id(1)] string? Problem);

/// <summary>Readiness probe: a stateless worker on any silo that checks that PostgreSQL answers.</summary>
[Alias("chatboost.health.IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    [Alias("Check")]
    Task<HealthReport> CheckAsync();
}
