namespace ChatBoost.Grains.Flows.Engine;

/// <summary>
/// Guards of one execution: at most <paramref name="MaxStepsPerRun"/> nodes between waits, at most
/// <paramref name="RunTimeout"/> between waits (FLOW_EXECUTION_TIMEOUT), and at most
/// <paramref name="MaxVariablesBytes"/> of serialized state variables.
/// </summary>
public sealed record ExecutionLimits(int MaxStepsPerRun, TimeSpan RunTimeout, int MaxVariablesBytes)
{
    public const int DefaultMaxStepsPerRun = 100;
    public const int DefaultMaxVariablesBytes = 256 * 1024;
    public static readonly TimeSpan DefaultRunTimeout = TimeSpan.FromMinutes(30);

    public static ExecutionLimits Default { get; } = new(DefaultMaxStepsPerRun, DefaultRunTimeout, DefaultMaxVariablesBytes);
}
