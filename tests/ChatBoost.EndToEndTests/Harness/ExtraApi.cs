namespace ChatBoost.EndToEndTests.Harness;

/// <summary>
/// A second (third, …) API process of a <see cref="ChatBoostSystem"/> (<see cref="ChatBoostSystem.StartExtraApiAsync"/>):
/// its own address, the same cluster, database and signing key. Disposing it stops the process.
/// </summary>
public sealed class ExtraApi(Uri baseAddress, ChildProcess process) : IAsyncDisposable
{
    public Uri BaseAddress { get; } = baseAddress;

    public ChildProcess Process { get; } = process;

    public HttpClient Http { get; } = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.StopAsync();
    }
}
