using ChatBoost.Grains.Interfaces.Auth;

namespace ChatBoost.Grains.Auth;

/// <inheritdoc cref="ILoginThrottleGrain"/>
public sealed class LoginThrottleGrain(TimeProvider time) : Grain, ILoginThrottleGrain
{
    private readonly LoginFailureWindow _window = new();

    public Task<TimeSpan?> CheckAsync(int maxFailures, TimeSpan window) =>
        Task.FromResult(_window.RetryAfter(time.GetUtcNow(), maxFailures, window));

    public Task RecordFailureAsync(TimeSpan window)
    {
        _window.RecordFailure(time.GetUtcNow(), window);
        return Task.CompletedTask;
    }

    public Task ResetAsync()
    {
        _window.Reset();
        return Task.CompletedTask;
    }
}
