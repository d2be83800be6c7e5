using ChatBoost.Grains.Flows.Engine;

namespace ChatBoost.Grains.Flows;

/// <summary>
/// Settings of the flow engine (configuration section <c>Flows</c>; environment variables in
/// <c>EnvironmentVariables</c>): <c>FLOW_EXECUTION_TIMEOUT</c> and <c>FLOW_MAX_STEPS_PER_RUN</c>.
/// </summary>
public sealed class FlowEngineOptions
{
    public const string Section = "Flows";

    /// <summary>
    /// <c>FLOW_EXECUTION_TIMEOUT</c> (seconds, default 1800, as in the seed): the longest an execution may run without
    /// reaching a wait. Waits do not count: an execution that waits a day for a reply is not "running" meanwhile.
    /// </summary>
    public int ExecutionTimeoutSeconds { get; set; } = 1800;

    /// <summary><c>FLOW_MAX_STEPS_PER_RUN</c> (default 100): nodes an execution may enter without a wait (the loop guard).</summary>
    public int MaxStepsPerRun { get; set; } = 100;

    /// <summary>The largest state (variables serialized as JSON), in bytes.</summary>
    public int MaxStateBytes { get; set; } = 256 * 1024;

    public ExecutionLimits ToLimits() => new(MaxStepsPerRun, TimeSpan.FromSeconds(ExecutionTimeoutSeconds), MaxStateBytes);

    /// <summary>Problems with the settings, for validation at start.</summary>
    public IEnumerable<string> Problems()
    {
        if (ExecutionTimeoutSeconds is < 1 or > 86_400)
        {
            yield return "FLOW_EXECUTION_TIMEOUT must be 1 to 86400 seconds.";
        }

        if (MaxStepsPerRun is < 1 or > 10_000)
        {
            yield return "FLOW_MAX_STEPS_PER_RUN must be 1 to 10000.";
        }

        if (MaxStateBytes is < 1024 or > 4 * 1024 * 1024)
        {
            yield return "Flows:MaxStateBytes must be 1 KB to 4 MB.";
        }
    }
}
