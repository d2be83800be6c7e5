using System.Diagnostics.Metrics;
using ChatBoost.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace ChatBoost.Testing;

/// <summary>A <see cref="ChatBoostMetrics"/> for collaborators built by hand in tests (its meter is the test's own).</summary>
public static class TestMetrics
{
    public static ChatBoostMetrics Create() => new(MeterFactory());

    public static IMeterFactory MeterFactory() =>
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
}
