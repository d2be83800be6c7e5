namespace ChatBoost.Configuration;

/// <summary>A setting is missing or wrong; the message says which and what to do. The processes refuse to start.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
