using System.Security.Cryptography;
using ChatBoost.Configuration;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Auth;

/// <summary>
/// BCrypt hashing and verification, done in the API (stateless, scales out) rather than in grains. BCrypt is
/// deliberately slow CPU work (~0.2–0.3 s at work factor 12), so at most one hash per core runs at a time and
/// the rest wait asynchronously: a flood of logins queues instead of starving the thread pool.
/// </summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private readonly Lazy<string> _decoyHash = new(() =>
        BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), options.Value.BcryptWorkFactor));

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        RunGatedAsync(() => BCrypt.Net.BCrypt.HashPassword(password, options.Value.BcryptWorkFactor), cancellationToken);

    /// <summary>Verifies against the stored hash, or against a decoy when there is none, so that an unknown
    /// account takes as long as a wrong password and timing does not reveal which e-mails exist.</summary>
    public Task<bool> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken) =>
        RunGatedAsync(() => Verify(password, storedHash), cancellationToken);

    public void Dispose() => _gate.Dispose();

    private bool Verify(string password, string? storedHash)
    {
        var hash = storedHash ?? _decoyHash.Value;
        bool matches;
        try
        {
            matches = BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            matches = false;
        }

        return matches && storedHash is not null;
    }

    private async Task<T> RunGatedAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(work, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
