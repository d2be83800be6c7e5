namespace ChatBoost.Grains.Interfaces.Auth;

/// <summary>
/// Counts failed logins for one key (<c>account:{email}</c> or <c>ip:{address}</c>) in a sliding window,
/// cluster-wide, so that any API instance sees the same count. State is in memory on purpose: losing it
/// when a silo dies only resets a throttle.
/// </summary>
[Alias("chatboost.auth.ILoginThrottleGrain")]
public interface ILoginThrottleGrain : IGrainWithStringKey
{
    /// <summary>How long the key must wait before trying again, or null when it may try now.</summary>
    [Alias("Check")]
    Task<TimeSpan?> CheckAsync(int maxFailures, TimeSpan window);

    [Alias("RecordFailure")]
    Task RecordFailureAsync(TimeSpan window);

    [Alias("Reset")]
    Task ResetAsync();
}
