namespace ChatBoost.Grains.Interfaces;

/// <summary>
/// A dependency of the cluster (PostgreSQL) failed or timed out. Silos translate driver exceptions into this
/// one type at the grain boundary, so callers need not know the driver: the API answers it with 503 and
/// Retry-After. The message never carries connection details.
/// </summary>
[GenerateSerializer, Alias("chatboost.DependencyUnavailableException")]
public sealed class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException()
    {
    }

    public DependencyUnavailableException(string message)
        : base(message)
    {
    }

    public DependencyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
