using ChatBoost.Configuration;
using ChatBoost.Grains.Health;
using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;

namespace ChatBoost.Silo.Operations;

/// <summary>
/// What each silo adds for operations: the trace context of incoming grain calls is restored and passed on (one webhook
/// is one trace), the Orleans dashboard's grains (its pages are on the API), Orleans' load shedding
/// (<see cref="LoadSheddingSettings"/>), and the readiness checks its operations port answers.
/// </summary>
public static class SiloOperations
{
    public static ISiloBuilder AddChatBoostOperations(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var shedding = LoadSheddingSettings.Load(configuration);
        silo.AddActivityPropagation();
        silo.AddDashboard();
        silo.Configure<LoadSheddingOptions>(o =>
        {
            o.LoadSheddingEnabled = shedding.Enabled;
            o.CpuThreshold = shedding.CpuPercent;
            o.MemoryThreshold = shedding.MemoryPercent;
        });
        silo.Services.AddSiloReadinessChecks();
        return silo;
    }
}
