namespace ChatBoost.Hosting;

/// <summary>A dependency the process cannot start without did not answer within its start-up budget.</summary>
public sealed class StartupDependencyException(string message) : Exception(message);
