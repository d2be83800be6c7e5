using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ChatBoost.Configuration;

/// <summary>
/// Orleans' load shedding on each silo (<c>ORLEANS_LOAD_SHEDDING</c>, <c>ORLEANS_LOAD_SHEDDING_CPU_PERCENT</c>,
/// <c>ORLEANS_LOAD_SHEDDING_MEMORY_PERCENT</c>): past either threshold the silo's gateway refuses new client requests
/// (the API answers them 503 with Retry-After) instead of queueing them behind work it cannot finish. On by default.
/// </summary>
public sealed record LoadSheddingSettings(bool Enabled, int CpuPercent, int MemoryPercent)
{
    public const string EnabledKey = "Silo:LoadShedding";
    public const string CpuKey = "Silo:LoadSheddingCpuPercent";
    public const string MemoryKey = "Silo:LoadSheddingMemoryPercent";
    public const int DefaultCpuPercent = 95;
    public const int DefaultMemoryPercent = 90;

    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static LoadSheddingSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var enabled = true;
        if (configuration[EnabledKey] is { Length: > 0 } rawEnabled && !bool.TryParse(rawEnabled, out enabled))
        {
            problems.Add($"ORLEANS_LOAD_SHEDDING must be true or false, not '{rawEnabled}'.");
        }

        var cpu = Percent(configuration, CpuKey, "ORLEANS_LOAD_SHEDDING_CPU_PERCENT", DefaultCpuPercent, problems);
        var memory = Percent(configuration, MemoryKey, "ORLEANS_LOAD_SHEDDING_MEMORY_PERCENT", DefaultMemoryPercent, problems);
        return problems.Count > 0
            ? throw new ConfigurationException(string.Join(Environment.NewLine, problems))
            : new LoadSheddingSettings(enabled, cpu, memory);
    }

    private static int Percent(IConfiguration configuration, string key, string variable, int fallback, List<string> problems)
    {
        if (configuration[key] is not { Length: > 0 } raw)
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 100)
        {
            return value;
        }

        problems.Add($"{variable} must be a percentage from 1 to 100, not '{raw}'.");
        return fallback;
    }
}
